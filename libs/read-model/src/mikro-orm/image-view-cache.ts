// Views of image rows already mapped, by image id and the row's last applied position: a row
// changes only through `project`, which moves `last_position` on every change, so an equal
// position is an equal row. Mapping a row (parsing its JSON columns: the colour shares, the
// top kinds; converting its times) was most of a read's CPU once the row was read. The views
// handed out are shared by every reader: frozen at the top (a deep freeze cost more than the
// mapping it saved on a miss); their arrays must not be changed either. Entries also expire after `ttlMs`, which
// bounds what a row rewritten without a new position (a rebuild by a newer projector in another
// process) could serve stale; `clear()` on a reset in this process.
//
// Admission follows the hit rate: a view kept is promoted to V8's old generation, and one
// evicted later is garbage there, collected only by a major GC. When the rows read are mostly
// new (a random sample over a catalog much larger than the cache), keeping each of them churns
// the old generation (browse at 500 requests/s over 100,000 images: major GCs of a heap grown
// to 450 MB, `--trace-gc`). So while
// fewer than MIN_HIT_RATE of a window's lookups hit, a miss is kept only one time in
// ADMIT_WHEN_COLD (enough for the hit rate to recover once the working set fits again); the
// other views die young, and are handed out unfrozen (the port's sign that a view is not kept).
import type { ImageView } from '../read-model.port';

/** Lookups per window of the hit rate. */
const WINDOW = 2048;
/** Below this share of hits in the last window, misses are kept one time in ADMIT_WHEN_COLD. */
const MIN_HIT_RATE = 0.25;
const ADMIT_WHEN_COLD = 16;

export class ImageViewCache {
  private readonly entries = new Map<string, { position: string; at: number; view: ImageView }>();
  private lookups = 0;
  private hits = 0;
  private cold = false;
  private misses = 0;

  constructor(
    private readonly maxEntries = 4096,
    private readonly ttlMs = 60_000,
  ) {}

  /** Whether misses are kept one time in ADMIT_WHEN_COLD only (the last window's hit rate was low). */
  get admittingFew(): boolean {
    return this.cold;
  }

  private count(hit: boolean): void {
    this.lookups++;
    if (hit) this.hits++;
    if (this.lookups < WINDOW) return;
    this.cold = this.hits < MIN_HIT_RATE * this.lookups;
    this.lookups = 0;
    this.hits = 0;
  }

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
    this.count(hit !== undefined);
    if (hit) return hit;
    // Not kept: not frozen either, so that no caller keeps anything by it (see ImageView).
    if (this.cold && this.misses++ % ADMIT_WHEN_COLD !== 0) return map(row);
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

