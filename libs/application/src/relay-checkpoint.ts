// The relay's position in the event log, kept on the checkpoint store port (not on the read
// model: in distributed mode the relay needs only the event store, the bus and its checkpoint).
//
// Upgrade: releases before the checkpoint store kept the relay's checkpoint in the read model's
// checkpoint table (name 'relay'). When the checkpoint store has none yet, the first load copies
// that one over, once; from then on the read model is not consulted. Without it (a new
// installation, or a read model that never had one) the relay starts from the beginning of the
// log, which is harmless anyway: every consumer skips events it has applied (idempotent).
import { Inject, Injectable } from '@nestjs/common';
import type { CheckpointStore } from '@vegvision/checkpoint-store';
import type { ReadModel } from '@vegvision/read-model';
import type { Logger } from './logger';
import { CHECKPOINT_STORE, LOGGER, READ_MODEL } from './tokens';

export const RELAY_CHECKPOINT = 'relay';

@Injectable()
export class RelayCheckpoint {
  constructor(
    @Inject(CHECKPOINT_STORE) private readonly checkpoints: CheckpointStore,
    @Inject(READ_MODEL) private readonly readModel: ReadModel,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The position published last, or 'start'. */
  async load(): Promise<number | 'start'> {
    const saved = await this.checkpoints.load(RELAY_CHECKPOINT);
    if (saved !== 'start') return saved;
    const legacy = await this.readModel.checkpoint(RELAY_CHECKPOINT);
    if (legacy === 'start') return 'start';
    await this.checkpoints.save(RELAY_CHECKPOINT, legacy);
    this.log.info({ position: legacy }, 'relay checkpoint moved from the read model to the checkpoint store');
    return legacy;
  }

  save(position: number): Promise<void> {
    return this.checkpoints.save(RELAY_CHECKPOINT, position);
  }
}
