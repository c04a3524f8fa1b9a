import { decodeEvent, type DomainEvent, type WireEvent } from '@vegvision/contracts';
import type { StoredEvent } from '@vegvision/event-store';

/** What the relay publishes on the bus for each stored event (JSON, keyed by image id). */
export interface BusEnvelope {
  position: number;
  streamId: string;
  revision: number;
  recordedAt: string;
  event: WireEvent;
}

export function toEnvelope(e: StoredEvent): BusEnvelope {
  return {
    position: e.position,
    streamId: e.streamId,
    revision: e.revision,
    recordedAt: e.recordedAt,
    event: { eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata },
  };
}

export interface PositionedEvent {
  position: number;
  streamId: string;
  event: DomainEvent;
}

export function parseEnvelope(value: string): PositionedEvent {
  const env = JSON.parse(value) as BusEnvelope;
  return { position: env.position, streamId: env.streamId, event: decodeEvent(env.event) };
}
