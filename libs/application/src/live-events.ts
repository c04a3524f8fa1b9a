// The in-process hub of events that reached the read model (server-sent events read it).
import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { PositionedEvent } from './envelope';

/** Events that have reached the read model, for server-sent events. */
@Injectable()
export class LiveEvents {
  readonly events$ = new Subject<PositionedEvent>();
  emit(e: PositionedEvent): void {
    this.events$.next(e);
  }
}
