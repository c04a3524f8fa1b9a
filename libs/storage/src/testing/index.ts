export { describeStorageContract, type StorageContractFixture } from './storage.contract';
