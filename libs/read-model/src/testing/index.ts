export { describeReadModelContract, type ReadModelContractSubject } from './read-model.contract';
export * from './fixtures';
