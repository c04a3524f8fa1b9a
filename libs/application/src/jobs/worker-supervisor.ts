// Starts and stops the roles of this process.
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { VegvisionConfig, Role } from '@vegvision/config';
import { ClassifierProvider } from '../classifier.provider';
import { LabellingPool } from '../labelling-pool';
import type { Logger } from '../logger';
import { OrphanSweeper } from '../orphan-sweeper';
import { CONFIG, LOGGER } from '../tokens';
import { ClassifierWorker } from './classifier.job';
import { ColourWorker } from './colour.job';
import { LiveFeedWorker } from './live-feed.job';
import { ProjectorWorker } from './projector.job';
import { RelayWorker } from './relay.job';

/**
 * Starts the roles this process is configured for, and stops them in reverse order. They stop in
 * `beforeApplicationShutdown`, which Nest runs for every provider before any
 * `onApplicationShutdown`: the ports and the classifier close there (in parallel, Nest calls the
 * hooks of one module at once), only after no worker is handling an event any more.
 */
@Injectable()
export class WorkerSupervisor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private started: { stop(): Promise<void> }[] = [];

  constructor(
    @Inject(CONFIG) private readonly config: VegvisionConfig,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly relay: RelayWorker,
    private readonly classifier: ClassifierWorker,
    private readonly colour: ColourWorker,
    private readonly projector: ProjectorWorker,
    private readonly liveFeed: LiveFeedWorker,
    private readonly sweeper: OrphanSweeper,
    private readonly pool: LabellingPool,
    private readonly classifiers: ClassifierProvider,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const roles = new Set<Role>(this.config.roles);
    if (roles.has('api')) {
      // Where uploads are accepted, what interrupted ones left behind is removed (in the background).
      this.sweeper.start();
      this.started.push(this.sweeper);
    }
    if (roles.has('api') && !roles.has('projector')) {
      await this.liveFeed.start();
      this.started.push(this.liveFeed);
    }
    // Consumers subscribe before the relay starts publishing (the in-process bus keeps
    // nothing for groups that are not subscribed yet).
    const order: [Role, { start(): Promise<void>; stop(): Promise<void> }][] = [
      ['projector', this.projector],
      ['classifier', this.classifier],
      ['colour', this.colour],
      ['relay', this.relay],
    ];
    if (roles.has('classifier') || roles.has('colour')) {
      // The labelling pool's threads start now, in the background, not with the first upload.
      const modelDir = roles.has('classifier') ? this.classifiers.activeModelDir() : undefined;
      this.pool.load(modelDir).then(
        () => this.log.info({ threads: this.pool.threads }, 'labelling pool started'),
        (err: unknown) => this.log.warn({ err }, 'labelling pool: warm-up failed (the first image tries again)'),
      );
    }
    for (const [role, worker] of order) {
      if (!roles.has(role)) continue;
      await worker.start();
      this.started.push(worker);
      this.log.info({ role }, 'role started');
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const worker of this.started.reverse()) await worker.stop().catch(() => undefined);
    this.started = [];
  }
}
