// What the relay's checkpoint waits for. A consumer on the in-process bus may apply an event
// without making it durable at once (the embedded read model commits without an fsync each, see
// ReadModel.sync); after a power loss the relay replays from its checkpoint only, so before the
// checkpoint passes an event every such consumer makes what it applied durable. Each registers
// how here; the relay runs them all before it saves its checkpoint.
import { Injectable } from '@nestjs/common';

@Injectable()
export class DurabilityBarrier {
  private readonly syncs: (() => Promise<void>)[] = [];

  /** Adds what makes a consumer's applied events durable. */
  register(sync: () => Promise<void>): void {
    this.syncs.push(sync);
  }

  /** Resolves once everything every registered consumer applied so far is durable. */
  async sync(): Promise<void> {
    await Promise.all(this.syncs.map((sync) => sync()));
  }
}
