// Views of image rows already mapped, by image id and the row's last applied position: a row
// changes only through `project`, which moves `last_position` on every change, so an equal
// position is an equal row. Mapping a row (parsing its JSON columns: the colour shares, the
// top kinds; converting its times) was most of a read's CPU once the row was read. The views
// handed out are shared by every reader: frozen at the top (a deep freeze cost more than the
// mapping it saved on a miss); their arrays must not be changed either. Entries also expire after `ttlMs`, which
// bounds what a row rewritten without a new position (a rebuild by a newer projector in another
// process) could serve stale; `clear()` on a reset in this process.
import type { ImageView } from '../read-model.port';

export class ImageViewCache {
  private readonly entries = new Map<string, { position: string; at: number; view: ImageView }>();

  constructor(
    private readonly maxEntries = 4096,
    private readonly ttlMs = 60_000,
  ) {}

  /** The kept view of the row of `imageId` at `lastPosition`, if any. */
  kept(imageId: string, lastPosition: unknown, now = Date.now()): ImageView | undefined {
    const hit = this.entries.get(imageId);
    return hit && hit.position === String(lastPosition) && now - hit.at < this.ttlMs ? hit.view : undefined;
  }

  /** The view of `row` (a row as the database returns it): the kept one, or `map(row)` kept. */
  view(row: Record<string, unknown>, map: (row: Record<string, unknown>) => ImageView, now = Date.now()): ImageView {
    const id = row['image_id'] as string;
    const position = String(row['last_position']);
    const hit = this.kept(id, position, now);
    if (hit) return hit;
    const view = Object.freeze(map(row));
    this.entries.delete(id);
    this.entries.set(id, { position, at: now, view });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return view;
  }

  clear(): void {
    this.entries.clear();
  }
}

