import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one process (exposed on /metrics). */
export class Metrics {
  readonly registry = new Registry();
  readonly eventsProcessed = new Counter({
    name: 'vegvision_events_processed_total',
    help: 'Events handled by a worker',
    labelNames: ['worker', 'type'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'vegvision_worker_errors_total',
    help: 'Failed attempts of a worker',
    labelNames: ['worker'] as const,
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: 'vegvision_worker_dead_lettered_total',
    help: 'Events a worker gave up on at once because no retry could succeed (sent to the dead-letter topic)',
    labelNames: ['worker'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'vegvision_worker_latency_seconds',
    help: 'Time a worker spends on one event',
    labelNames: ['worker'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'vegvision_worker_lag_events',
    help: 'Events stored but not yet handled by a worker (relay: head position minus checkpoint)',
    labelNames: ['worker'] as const,
    registers: [this.registry],
  });
  private readonly lagProbes = new Map<string, () => Promise<number>>();
  /** Per consumer group, measured on the bus when /metrics is scraped (what lag autoscaling looks at). */
  readonly consumerGroupLag = new Gauge({
    name: 'vegvision_consumer_group_lag_messages',
    help: 'Messages of the topic a consumer group has not committed yet (Kafka: end offsets minus committed offsets)',
    labelNames: ['group'] as const,
    registers: [this.registry],
    collect: async () => {
      await Promise.all(
        [...this.lagProbes].map(async ([group, probe]) => {
          try {
            this.consumerGroupLag.set({ group }, await probe());
          } catch {
            this.consumerGroupLag.remove({ group }); // the broker is unreachable: no stale value
          }
        }),
      );
    },
  });
  readonly uploads = new Counter({
    name: 'vegvision_uploads_total',
    help: 'Uploads by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly decodes = new Counter({
    name: 'vegvision_decodes_total',
    help: 'Stored originals decoded to pixels for labelling (once per image and process when its labelling roles share it)',
    registers: [this.registry],
  });
  readonly orphansRemoved = new Counter({
    name: 'vegvision_orphans_removed_total',
    help: 'What the orphan sweeper removed: originals no event refers to, temporary files of interrupted writes',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly orphanSweeps = new Counter({
    name: 'vegvision_orphan_sweeps_total',
    help: 'Runs of the orphan sweeper by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Reports `group`'s lag through vegvision_consumer_group_lag_messages (until removed). */
  watchGroupLag(group: string, probe: () => Promise<number>): () => void {
    this.lagProbes.set(group, probe);
    return () => {
      this.lagProbes.delete(group);
      this.consumerGroupLag.remove({ group });
    };
  }

  async time<T>(worker: string, type: string, fn: () => Promise<T>): Promise<T> {
    const end = this.latency.startTimer({ worker });
    try {
      const result = await fn();
      this.eventsProcessed.inc({ worker, type });
      return result;
    } catch (error) {
      this.errors.inc({ worker });
      throw error;
    } finally {
      end();
    }
  }
}
