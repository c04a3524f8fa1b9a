import type { MessageBus } from './bus.port';
import { BusInvalidArgumentError } from './errors';
import { InProcessBus } from './in-process-bus';
import { KafkaBus } from './kafka-bus';
import type { BusLogger } from './shared';

export type BusConfig =
  | { kind: 'in-process'; partitions?: number; logger?: BusLogger }
  | { kind: 'kafka'; brokers: string[]; clientId?: string; partitions?: number; logger?: BusLogger };

/** Builds the bus adapter the configuration names. */
export function createBus(config: { kind: 'in-process'; partitions?: number; logger?: BusLogger }): InProcessBus;
export function createBus(config: {
  kind: 'kafka';
  brokers: string[];
  clientId?: string;
  partitions?: number;
  logger?: BusLogger;
}): KafkaBus;
export function createBus(config: BusConfig): MessageBus;
export function createBus(config: BusConfig): MessageBus {
  switch (config?.kind) {
    case 'in-process':
      return new InProcessBus({ partitions: config.partitions, logger: config.logger });
    case 'kafka':
      return new KafkaBus({
        brokers: config.brokers,
        clientId: config.clientId,
        partitions: config.partitions,
        logger: config.logger,
      });
    default:
      throw new BusInvalidArgumentError(`unknown bus kind ${JSON.stringify((config as { kind?: unknown })?.kind)}`);
  }
}
