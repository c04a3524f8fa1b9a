// Event contracts of vegvision: the generated protobuf-es types (from proto/) plus the
// envelope every event travels in, and the codec between domain events and the JSON
// stored in event stores and carried on the bus.
import { create, fromJson, toJson, type JsonObject, type MessageInitShape } from '@bufbuild/protobuf';
import {
  ColourDetectedSchema,
  ImageClassifiedSchema,
  ImageDeletedSchema,
  ImageUploadedSchema,
  LabelCorrectedSchema,
  type ColourDetected,
  type ImageClassified,
  type ImageDeleted,
  type ImageUploaded,
  type LabelCorrected,
} from './gen/vegvision/events/v1/events_pb';

export * from './gen/vegvision/events/v1/events_pb';

export const EVENT_TYPES = ['ImageUploaded', 'ImageClassified', 'ColourDetected', 'LabelCorrected', 'ImageDeleted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Current payload schema version of each event type. */
export const SCHEMA_VERSIONS: Record<EventType, number> = {
  ImageUploaded: 1,
  ImageClassified: 1,
  ColourDetected: 1,
  LabelCorrected: 1,
  ImageDeleted: 1,
};

export interface EventDataMap {
  ImageUploaded: ImageUploaded;
  ImageClassified: ImageClassified;
  ColourDetected: ColourDetected;
  LabelCorrected: LabelCorrected;
  ImageDeleted: ImageDeleted;
}

const SCHEMAS = {
  ImageUploaded: ImageUploadedSchema,
  ImageClassified: ImageClassifiedSchema,
  ColourDetected: ColourDetectedSchema,
  LabelCorrected: LabelCorrectedSchema,
  ImageDeleted: ImageDeletedSchema,
} as const;

/** Metadata carried by every event (see EventMetadata in proto/). */
export interface EventMeta {
  eventId: string;
  type: EventType;
  schemaVersion: number;
  correlationId: string;
  causationId: string;
  occurredAt: string;
}

/** A domain event: metadata plus the typed payload. */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: { meta: EventMeta & { type: K }; data: EventDataMap[K] };
}[T];

/** The wire form stored in event stores and carried on the bus (protobuf JSON mapping). */
export interface WireEvent {
  eventId: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

export class UnknownEventTypeError extends Error {
  constructor(readonly eventType: string) {
    super(`unknown event type "${eventType}"`);
    this.name = 'UnknownEventTypeError';
  }
}

/** Narrows a domain event by its type. */
export function isEvent<T extends EventType>(event: DomainEvent, type: T): event is Extract<DomainEvent, { meta: { type: T } }> {
  return event.meta.type === type;
}

export function isEventType(type: string): type is EventType {
  return (EVENT_TYPES as readonly string[]).includes(type);
}

/** Builds a typed payload, filling defaults for absent fields. */
export function makeEventData<T extends EventType>(
  type: T,
  init: MessageInitShape<(typeof SCHEMAS)[T]>,
): EventDataMap[T] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return create(SCHEMAS[type] as any, init as any) as unknown as EventDataMap[T];
}

export function encodeEvent(event: DomainEvent): WireEvent {
  const { meta } = event;
  return {
    eventId: meta.eventId,
    type: meta.type,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    data: toJson(SCHEMAS[meta.type] as any, event.data as any, { alwaysEmitImplicit: true }) as JsonObject,
    metadata: {
      schemaVersion: meta.schemaVersion,
      correlationId: meta.correlationId,
      causationId: meta.causationId,
      occurredAt: meta.occurredAt,
    },
  };
}

export function decodeEvent(wire: WireEvent): DomainEvent {
  if (!isEventType(wire.type)) throw new UnknownEventTypeError(wire.type);
  const md = wire.metadata as Record<string, unknown>;
  const meta: EventMeta = {
    eventId: wire.eventId,
    type: wire.type,
    schemaVersion: Number(md['schemaVersion'] ?? 1),
    correlationId: String(md['correlationId'] ?? ''),
    causationId: String(md['causationId'] ?? ''),
    occurredAt: String(md['occurredAt'] ?? ''),
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const data = fromJson(SCHEMAS[wire.type] as any, wire.data, { ignoreUnknownFields: true });
  return { meta, data } as DomainEvent;
}

/** Plain JSON view of a payload (for HTTP and SSE), in the protobuf JSON mapping. */
export function payloadToJson(event: DomainEvent): JsonObject {
  return encodeEvent(event).data;
}
