export { describeKeyStoreContract, type KeyStoreContractFactory, type KeyStoreContractFixture } from './key-store.contract';
