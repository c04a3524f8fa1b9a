export {
  describeCheckpointStoreContract,
  type CheckpointStoreContractFactory,
  type CheckpointStoreContractFixture,
} from './checkpoint-store.contract';
