// The composition root shared by every entry point: the embedded product (all roles in one
// process), each distributed service (the roles it is given) and the CLI.
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { VegvisionConfig } from '@vegvision/config';
import { createBus, type MessageBus } from '@vegvision/bus';
import { createCheckpointStore, type CheckpointStore } from '@vegvision/checkpoint-store';
import { createEventStore, type EventStore } from '@vegvision/event-store';
import { createKeyStore, type KeyStore } from '@vegvision/key-store';
import { createReadModel, type ReadModel } from '@vegvision/read-model';
import { createStorage, type ObjectStorage } from '@vegvision/storage';
import { CatalogService } from './catalog.service';
import { ClassifierProvider } from './classifier.provider';
import { COMMAND_HANDLERS, ImageCommands } from './image-commands';
import { ImageDeletionService } from './image-deletion.service';
import { IngestService } from './ingest.service';
import { CatalogImportService } from './catalog-import.service';
import { FileNameVault } from './file-name-vault';
import { createLogger, type Logger } from './logger';
import { OriginalLocks } from './original-locks';
import { OrphanSweeper } from './orphan-sweeper';
import { Metrics } from './metrics';
import { DurabilityBarrier } from './durability-barrier';
import { RebuildService } from './rebuild.service';
import { RelabelService } from './relabel.service';
import { RelayCheckpoint } from './relay-checkpoint';
import { TrainingSetExportService } from './training-set-export.service';
import { CHECKPOINT_STORE, CONFIG, EVENT_STORE, KEY_STORE, LOGGER, MESSAGE_BUS, OBJECT_STORAGE, READ_MODEL } from './tokens';
import {
  ClassifierWorker,
  ColourWorker,
  LiveFeedWorker,
  ProjectorWorker,
  RelayWorker,
  WorkerSupervisor,
} from './jobs';
import { LabellingService } from './labelling.service';
import { LiveEvents } from './live-events';
import { Originals } from './originals';
import { LabellingPool } from './labelling-pool';

class PortsLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(READ_MODEL) private readonly readModel: ReadModel,
    @Inject(CHECKPOINT_STORE) private readonly checkpoints: CheckpointStore,
    @Inject(KEY_STORE) private readonly keys: KeyStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // Runs after the workers stopped (WorkerSupervisor stops them in beforeApplicationShutdown).
    await this.bus.close().catch(() => undefined);
    await this.store.close().catch(() => undefined);
    await this.readModel.close().catch(() => undefined);
    await this.checkpoints.close().catch(() => undefined);
    await this.keys.close().catch(() => undefined);
    await this.storage.close().catch(() => undefined);
  }
}

export interface VegvisionModuleOptions {
  config: VegvisionConfig;
  logger?: Logger;
  /** Start the configured worker roles (false for one-shot CLI commands such as rebuild). */
  workers?: boolean;
}

@Global()
@Module({})
export class VegvisionModule {
  static forRoot(options: VegvisionModuleOptions): DynamicModule {
    const { config } = options;
    const logger = options.logger ?? createLogger(config.logLevel);
    const workers = options.workers ?? true;
    return {
      module: VegvisionModule,
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: EVENT_STORE, useFactory: () => createEventStore(config.eventStore) },
        { provide: MESSAGE_BUS, useFactory: () => createBus(config.bus) },
        { provide: OBJECT_STORAGE, useFactory: () => createStorage(config.storage) },
        {
          provide: READ_MODEL,
          useFactory: async () => {
            // On the in-process bus the relay syncs the read model before its checkpoint moves
            // (DurabilityBarrier), so its commits need no fsync each.
            const rm = await createReadModel(
              config.readModel.kind === 'sqlite' && config.bus.kind === 'in-process' ? { ...config.readModel, synchronous: 'normal' } : config.readModel,
            );
            await rm.migrate();
            return rm;
          },
        },
        { provide: CHECKPOINT_STORE, useFactory: () => createCheckpointStore(config.checkpointStore) },
        { provide: KEY_STORE, useFactory: () => createKeyStore(config.keyStore) },
        FileNameVault,
        PortsLifecycle,
        Metrics,
        ImageCommands,
        ...COMMAND_HANDLERS,
        IngestService,
        ImageDeletionService,
        OriginalLocks,
        OrphanSweeper,
        CatalogImportService,
        CatalogService,
        RebuildService,
        RelabelService,
        TrainingSetExportService,
        ClassifierProvider,
        LiveEvents,
        RelayCheckpoint,
        DurabilityBarrier,
        RelayWorker,
        ClassifierWorker,
        ColourWorker,
        ProjectorWorker,
        LiveFeedWorker,
        LabellingPool,
        Originals,
        LabellingService,
        ...(workers ? [WorkerSupervisor] : []),
      ],
      exports: [
        CONFIG,
        LOGGER,
        EVENT_STORE,
        MESSAGE_BUS,
        OBJECT_STORAGE,
        READ_MODEL,
        CHECKPOINT_STORE,
        KEY_STORE,
        FileNameVault,
        Metrics,
        ImageCommands,
        IngestService,
        ImageDeletionService,
        OrphanSweeper,
        CatalogImportService,
        CatalogService,
        RebuildService,
        RelabelService,
        TrainingSetExportService,
        ClassifierProvider,
        LiveEvents,
        RelayWorker,
        LabellingPool,
        Originals,
        LabellingService,
      ],
    };
  }
}
