// Rebuilding a read model from the event log: drop its rows, then project every event.
import { Inject, Injectable } from '@nestjs/common';
import { decodeEvent } from '@vegvision/contracts';
import type { EventStore } from '@vegvision/event-store';
import { CATALOG_PROJECTION, type ReadModel } from '@vegvision/read-model';
import { FileNameVault } from './file-name-vault';
import { EVENT_STORE, READ_MODEL } from './tokens';

export const PROJECTIONS = [CATALOG_PROJECTION] as const;

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
    for await (const stored of this.store.readAll({ from: 'start' })) {
      await this.readModel.project(projection, await this.vault.openForReadModel(decodeEvent(stored)), stored.position);
      done++;
      if (onProgress && done % 100 === 0) onProgress({ projection, done, total });
    }
    const result = { projection, done, total: Math.max(total, done) };
    onProgress?.(result);
    return result;
  }
}
