// The projector role: every event into the catalog read model, exactly once.
import { Inject, Injectable } from '@nestjs/common';
import type { VegvisionConfig } from '@vegvision/config';
import type { MessageBus } from '@vegvision/bus';
import { CATALOG_PROJECTION, type ReadModel } from '@vegvision/read-model';
import type { PositionedEvent } from '../envelope';
import { DurabilityBarrier } from '../durability-barrier';
import { FileNameVault } from '../file-name-vault';
import { LiveEvents } from '../live-events';
import type { Logger } from '../logger';
import { Metrics } from '../metrics';
import { CONFIG, LOGGER, MESSAGE_BUS, READ_MODEL } from '../tokens';
import { Consumer } from './consumer';
import { ProjectionBatcher } from './projection-batcher';

/**
 * Projects every event into the catalog read model, exactly once per event. Messages handled side
 * by side (bus partitions) are projected together, one transaction per batch (ProjectionBatcher);
 * each message is done only once its batch committed, and each applied event goes to the live feed.
 * Committed is not yet durable everywhere: the relay syncs the read model before its checkpoint.
 */
@Injectable()
export class ProjectorWorker extends Consumer {
  readonly group = 'projector';
  private readonly batcher: ProjectionBatcher;
  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(CONFIG) config: VegvisionConfig,
    @Inject(LOGGER) log: Logger,
    metrics: Metrics,
    @Inject(READ_MODEL) readModel: ReadModel,
    private readonly live: LiveEvents,
    private readonly vault: FileNameVault,
    barrier: DurabilityBarrier,
  ) {
    super(bus, config, log, metrics);
    this.batcher = new ProjectionBatcher(readModel, CATALOG_PROJECTION);
    barrier.register(() => readModel.sync());
  }

  protected async handle(e: PositionedEvent): Promise<void> {
    const applied = await this.batcher.project(await this.vault.openForReadModel(e.event), e.position);
    if (applied) this.live.emit(e);
  }
}
