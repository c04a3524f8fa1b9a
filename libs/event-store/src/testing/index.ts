export {
  describeEventStoreContract,
  newEvent,
  type EventStoreContractFactory,
  type EventStoreContractFixture,
} from './event-store.contract';
