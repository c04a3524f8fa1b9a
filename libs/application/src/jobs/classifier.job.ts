// The classifier role: ImageUploaded → the active model's label.
import { Inject, Injectable } from '@nestjs/common';
import { ImageSource, isEvent } from '@vegvision/contracts';
import type { VegvisionConfig } from '@vegvision/config';
import type { MessageBus } from '@vegvision/bus';
import type { PositionedEvent } from '../envelope';
import { LabellingService } from '../labelling.service';
import type { Logger } from '../logger';
import { Metrics } from '../metrics';
import { CONFIG, LOGGER, MESSAGE_BUS } from '../tokens';
import { Consumer } from './consumer';

@Injectable()
export class ClassifierWorker extends Consumer {
  readonly group = 'classifier';
  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(CONFIG) config: VegvisionConfig,
    @Inject(LOGGER) log: Logger,
    metrics: Metrics,
    private readonly labelling: LabellingService,
  ) {
    super(bus, config, log, metrics);
  }

  protected async handle({ event }: PositionedEvent): Promise<void> {
    if (!isEvent(event, 'ImageUploaded')) return;
    const outcome = await this.labelling.classifyOne(event.data.imageId, event.data.objectKey, undefined,
      { correlationId: event.meta.correlationId, causationId: event.meta.eventId }, 'classifier', event.data.source !== ImageSource.CATALOG);
    if (outcome === 'deleted') this.deletedMeanwhile(event.data.imageId);
  }
}
