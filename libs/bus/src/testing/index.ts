export { describeBusContract, type BusContractFixture } from './bus.contract';
export { waitFor, deferred } from './wait-for';
