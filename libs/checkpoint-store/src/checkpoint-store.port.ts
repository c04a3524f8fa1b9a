// The checkpoint store port: where a component that follows the event log (the relay) keeps its
// position, by name. Adapters: a directory of files (embedded), SQLite and PostgreSQL; every one
// passes the contract suite in ./testing/checkpoint-store.contract.ts.

export interface CheckpointStore {
  /** The position saved under `name`, or 'start' when none was saved. */
  load(name: string): Promise<number | 'start'>;

  /**
   * Saves `position` (a safe integer >= 0) under `name`, replacing what was saved before (the last
   * save wins, also when it is lower). Durable once the promise resolves.
   */
  save(name: string, position: number): Promise<void>;

  close(): Promise<void>;
}

/** Longest checkpoint name accepted. */
export const MAX_CHECKPOINT_NAME_LENGTH = 200;
