// Rebuilding a read model from the event log: drop its rows, then project every event.
import { Inject, Injectable } from '@nestjs/common';
import { decodeEvent } from '@vegvision/contracts';
import type { EventStore } from '@vegvision/event-store';
import { CATALOG_PROJECTION, type ProjectedEvent, type ReadModel } from '@vegvision/read-model';
import { FileNameVault } from './file-name-vault';
import { EVENT_STORE, READ_MODEL } from './tokens';

export const PROJECTIONS = [CATALOG_PROJECTION] as const;

/** Events projected per transaction by a rebuild. */
export const REBUILD_BATCH = 256;

export interface RebuildProgress {
  projection: string;
  done: number;
  total: number;
}

export class UnknownProjectionError extends Error {
  readonly code = 'unknown_projection';
  constructor(name: string) {
    super(`unknown projection "${name}" (known: ${PROJECTIONS.join(', ')})`);
  }
}

@Injectable()
export class RebuildService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL) private readonly readModel: ReadModel,
    private readonly vault: FileNameVault,
  ) {}

  async rebuild(projection: string, onProgress?: (p: RebuildProgress) => void): Promise<RebuildProgress> {
    if (!(PROJECTIONS as readonly string[]).includes(projection)) throw new UnknownProjectionError(projection);
    const total = (await this.store.headPosition()) + 1;
    await this.readModel.reset(projection);
    let done = 0;
    // The log is projected REBUILD_BATCH events per transaction; a batch that fails is projected
    // again one event at a time, so the rebuild stops at the bad event as it would without
    // batches (the events before it applied) and throws its error.
    let batch: ProjectedEvent[] = [];
    const flush = async () => {
      try {
        await this.readModel.projectBatch(projection, batch);
      } catch {
        for (const { event, position } of batch) await this.readModel.project(projection, event, position);
      }
      const before = done;
      done += batch.length;
      batch = [];
      if (onProgress && Math.floor(done / 100) > Math.floor(before / 100)) onProgress({ projection, done, total });
    };
    for await (const stored of this.store.readAll({ from: 'start' })) {
      batch.push({ event: await this.vault.openForReadModel(decodeEvent(stored)), position: stored.position });
      if (batch.length >= REBUILD_BATCH) await flush();
    }
    if (batch.length) await flush();
    await this.readModel.sync();
    const result = { projection, done, total: Math.max(total, done) };
    onProgress?.(result);
    return result;
  }
}
