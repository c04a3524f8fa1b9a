// Server-sent events of one image (`/api/events?imageId=`), as an Observable; no polling.
import { Injectable, InjectionToken, inject } from '@angular/core';
import { Observable } from 'rxjs';
import type { LiveEvent } from './api.types';

export type EventSourceFactory = (url: string) => EventSource;

export const EVENT_SOURCE_FACTORY = new InjectionToken<EventSourceFactory>('EVENT_SOURCE_FACTORY', {
  providedIn: 'root',
  factory: () => (url: string) => new EventSource(url),
});

/** What the stream tells: the connection is open (time to catch up), or an event arrived. */
export type LiveSignal = { kind: 'open' } | { kind: 'event'; event: LiveEvent };

const TYPES: LiveEvent['type'][] = ['ImageUploaded', 'ImageClassified', 'ColourDetected'];

@Injectable({ providedIn: 'root' })
export class LiveEventsService {
  private readonly create = inject(EVENT_SOURCE_FACTORY);

  /**
   * Events of one image. Emits `open` each time the connection (re)opens, so the caller can
   * fetch the current state once and miss nothing that happened before it subscribed.
   * Errors after the browser gave up reconnecting end the stream with an error.
   */
  forImage(imageId: string): Observable<LiveSignal> {
    return new Observable<LiveSignal>((subscriber) => {
      const source = this.create(`/api/events?imageId=${encodeURIComponent(imageId)}`);
      source.onopen = () => subscriber.next({ kind: 'open' });
      const listeners = TYPES.map((type) => {
        const listener = (message: MessageEvent<string>) => {
          try {
            const envelope = JSON.parse(message.data) as { type?: string; data?: unknown };
            subscriber.next({ kind: 'event', event: { type, data: envelope.data } as LiveEvent });
          } catch {
            // a malformed message is ignored; the next catch-up fetch corrects the state
          }
        };
        source.addEventListener(type, listener as EventListener);
        return [type, listener] as const;
      });
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED) subscriber.error({ status: 0, code: 'live_lost' });
      };
      return () => {
        for (const [type, listener] of listeners) source.removeEventListener(type, listener as EventListener);
        source.close();
      };
    });
  }
}
