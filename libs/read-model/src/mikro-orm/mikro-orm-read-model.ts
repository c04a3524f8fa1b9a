// The ReadModel port on MikroORM 6, for SQLite (libSQL driver) and PostgreSQL alike. Engine
// differences are confined to: the migration DDL (see ../migrations), the row lock taken on
// the checkpoint in `project`/`reset` (PostgreSQL only; SQLite serialises writers itself) and
// the advisory lock around `migrate` (PostgreSQL only).
//
// Exactly-once: events come from a partitioned bus, ordered per image but not globally. Each
// image row keeps the position of the last event applied to it (`last_position`); an event at
// that position or below is skipped, as is a classification whose event id is already in the
// history. The projection's checkpoint is the highest position applied. The projection's writes
// (`project`, `projectBatch`) are plain prepared SQL, see ./sql-projection-writer.ts.
import fs from 'node:fs/promises';
import { LockMode, raw, type FilterQuery, type MikroORM } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { Migrator } from '@mikro-orm/migrations';
import type { DomainEvent } from '@vegvision/contracts';
import { isColourMeasure, NOT_A_VEGETABLE } from '@vegvision/domain';
import {
  InvalidCheckpointNameError,
  InvalidListQueryError,
  InvalidPositionError,
  InvalidSampleQueryError,
  ReadModelClosedError,
  ReservedCheckpointError,
  UnknownProjectionError,
} from '../errors';
import { decodeCursor, encodeCursor, isTimeSort } from '../list-cursor';
import {
  CATALOG_PROJECTION,
  DEFAULT_LIST_LIMIT,
  LIST_SORTS,
  MAX_LIST_LIMIT,
  REVIEW_CONFIDENCE_THRESHOLD,
  type CatalogFilters,
  type ClassificationView,
  type CorrectionView,
  type Facets,
  type ImageView,
  type ListPage,
  type ListQuery,
  type ListSort,
  type KindScoreView,
  type Palette,
  type PaletteShareView,
  type ProjectedEvent,
  type ReadModel,
  type SampleQuery,
} from '../read-model.port';
import {
  CheckpointSchema,
  ClassificationSchema,
  CorrectionSchema,
  DeletedImageSchema,
  ImageSchema,
  type ClassificationRow,
  type CorrectionRow,
  type ImageRow,
} from './entities';
import { ImageViewCache } from './image-view-cache';
import { PostgresTransactionRunner, type PostgresKnexPool } from './postgres-transaction-runner';
import { sampleDrawSql } from './sample-draw';
import { SqlProjectionWriter } from './sql-projection-writer';
import type { SqlTransactionRunner } from './sql-transaction';
import { SqliteTransactionRunner, type SqliteKnexPool } from './sqlite-transaction-runner';
import { COLOUR_FACETS, FACET_COUNTS_TABLE, recountStatements, type ColourFacet } from './facet-counts';

export type ReadModelEngine = 'sqlite' | 'postgres';

/** Largest `count` accepted by `sample`. */
export const MAX_SAMPLE_COUNT = 9;

const PALETTES: readonly Palette[] = ['RGB', 'RYB'];
const HEX = /^#[0-9A-F]{6}$/;

/** One row of `dump()`: an image, a classification, a correction or a tombstone, tagged with its table. */
export type DumpRow =
  | ({ table: 'images' } & ImageView)
  | ({ table: 'classifications' } & ClassificationView)
  | ({ table: 'corrections' } & CorrectionView)
  | ({ table: 'deleted_images' } & { imageId: string; position: number });

export class MikroOrmReadModel implements ReadModel {
  private closed = false;
  private sqlRunner?: SqlTransactionRunner;
  private projectionWriter?: SqlProjectionWriter;
  /** Mapped views of the rows read (see ./image-view-cache.ts). */
  private readonly viewCache = new ImageViewCache();
  /**
   * The random sample's views, kept apart: over a large catalog its rows seldom come again,
   * and keeping them with the others would push the listing's pages out. 8,192 views cover a
   * catalog of the whole dataset's size (13,227 images) by kind for the most part.
   */
  private readonly sampleViewCache = new ImageViewCache(8192);

  constructor(
    /** The underlying ORM (exposed for diagnostics and tests; do not write through it). */
    readonly orm: MikroORM,
    readonly engine: ReadModelEngine,
    /** PostgreSQL schema holding the tables (undefined on SQLite). */
    readonly schema?: string,
    /**
     * SQLite opened with synchronous=NORMAL: its WAL file, which `sync()` flushes (undefined
     * where every commit is durable by itself).
     */
    private readonly walFile?: string,
  ) {}

  async migrate(): Promise<void> {
    this.assertOpen();
    const migrator = this.orm.getMigrator() as Migrator;
    if (this.engine !== 'postgres') {
      await migrator.up();
      return;
    }
    // Several service replicas may start at once: a transaction-scoped advisory lock, held on
    // its own pooled connection, lets one of them migrate while the others wait and then find
    // nothing pending.
    const knex = this.em().getKnex();
    await knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`vegvision-read-model:${this.schema}`]);
      await migrator.up();
    });
  }

  async project(projection: string, event: DomainEvent, position: number): Promise<boolean> {
    const [applied] = await this.projectBatch(projection, [{ event, position }]);
    return applied;
  }

  async projectBatch(projection: string, events: readonly ProjectedEvent[]): Promise<boolean[]> {
    this.assertOpen();
    assertProjection(projection);
    for (const { position } of events) assertPosition(position);
    if (events.length === 0) return [];
    return this.writer().project(projection, events);
  }

  async checkpoint(name: string): Promise<number | 'start'> {
    this.assertOpen();
    assertCheckpointName(name);
    const row = await this.em().findOne(CheckpointSchema, { name });
    return row?.position ?? 'start';
  }

  async saveCheckpoint(name: string, position: number): Promise<void> {
    this.assertOpen();
    assertCheckpointName(name);
    if (name === CATALOG_PROJECTION) throw new ReservedCheckpointError(name);
    assertPosition(position);
    await this.em()
      .createQueryBuilder(CheckpointSchema)
      .insert({ name, position })
      .onConflict('name')
      .merge(['position'])
      .execute();
  }

  async getImage(imageId: string): Promise<ImageView | null> {
    this.assertOpen();
    if (typeof imageId !== 'string' || imageId === '') return null;
    const [view] = await this.views(`select * from ${this.table('images')} where "image_id" = ? limit 1`, [imageId]);
    return view ?? null;
  }

  async findBySha256(sha256: string): Promise<ImageView | null> {
    this.assertOpen();
    if (typeof sha256 !== 'string' || sha256 === '') return null;
    const [view] = await this.views(`select * from ${this.table('images')} where "sha256" = ? limit 1`, [sha256.toLowerCase()]);
    return view ?? null;
  }

  async classifications(imageId: string): Promise<ClassificationView[]> {
    this.assertOpen();
    const rows = await this.em().find(
      ClassificationSchema,
      { imageId },
      { orderBy: { position: 'asc', eventId: 'asc' } },
    );
    return rows.map(toClassificationView);
  }

  async corrections(imageId: string): Promise<CorrectionView[]> {
    this.assertOpen();
    const rows = await this.em().find(CorrectionSchema, { imageId }, { orderBy: { position: 'asc', eventId: 'asc' } });
    return rows.map(toCorrectionView);
  }

  async sample(query: SampleQuery): Promise<ImageView[]> {
    this.assertOpen();
    sampleFilter(query); // validates
    const { kind, palette, colour, measure } = query;
    const filter = filterSql({ kind, palette, colour, measure }, this.engine);
    // Many matches: random points in the (filter column, image_id) indexes pick the rows (see
    // ./sample-draw.ts; the SQLite rowid is in every index), O(count) index entries read.
    const key = this.engine === 'sqlite' ? 'rowid' : '"image_id"';
    const images = this.table('images');
    const draw = sampleDrawSql({ images, key, ...filter, count: query.count, engine: this.engine });
    let rows = await this.sampledViews(`select * ${draw.sql}`, draw.params);
    if (rows.length < query.count) {
      // Few matches (or picks that collided): every match's key, sorted by random().
      const picked = await this.read<{ k: string | number }>(`select ${key} as k from ${images}${whereSql(filter.where)} order by random() limit ?`, [...filter.params, query.count]);
      if (picked.length === 0) return [];
      rows = await this.sampledViews(`select * from ${images} where ${key} in (${picked.map(() => '?').join(', ')})`, picked.map((p) => p.k));
    }
    // The order of a random sample is random too (the rows came back in key order).
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    return rows;
  }

  async list(query: ListQuery): Promise<ListPage> {
    this.assertOpen();
    if (!query || typeof query !== 'object') throw new InvalidListQueryError('the query must be an object');
    const limit = query.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new InvalidListQueryError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${String(limit)}`);
    }
    const sort = query.sort ?? 'newest';
    if (!(LIST_SORTS as readonly string[]).includes(sort)) throw new InvalidListQueryError(`unknown sort ${String(sort)}`);
    catalogFilters(query, InvalidListQueryError); // validates
    const filter = filterSql(query, this.engine);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sort, query);
    const order = SORT_SQL[sort];
    const where = [...filter.where];
    const params = [...filter.params];
    if (after) {
      // Rows strictly after the cursor's (key, id) in the sort order.
      const beyond = order.direction === 'asc' ? '>' : '<';
      const key = isTimeSort(sort) ? this.timeParam(new Date(after.key as string)) : after.key;
      where.push(`(${order.key} ${beyond} ? or (${order.key} = ? and "image_id" ${beyond} ?))`);
      params.push(key, key, after.imageId);
    }
    const images = this.table('images');
    const rows = await this.keptViews(
      `from ${images}${whereSql(where)} order by ${order.key} ${order.direction}, "image_id" ${order.direction} limit ?`,
      [...params, limit + 1],
    );
    const total = countersAnswer(query)
      ? await this.counterTotal(query)
      : Number((await this.read<{ n: number | string }>(`select count(*) as n from ${images}${whereSql(filter.where)}`, filter.params))[0]?.n ?? 0);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor(sort, query, { key: sortKeyOf(sort, last), imageId: last.imageId }) : null;
    return { items: page, nextCursor, total };
  }

  async facets(filters: CatalogFilters = {}): Promise<Facets> {
    this.assertOpen();
    if (!filters || typeof filters !== 'object') throw new InvalidListQueryError('the filters must be an object');
    const all = catalogFilters(filters, InvalidListQueryError);
    // Each facet counts under the other filters: choosing another value of it is what it shows.
    const { kind: _kind, ...withoutKind } = filters;
    const { palette: _palette, colour: _colour, measure: _measure, ...withoutColour } = filters;
    const exceptKind = catalogFilters(withoutKind, InvalidListQueryError);
    const exceptColour = catalogFilters(withoutColour, InvalidListQueryError);
    const em = this.em();
    if (countersAnswer(filters)) return this.facetsFromCounters(filters);
    const property = { kind: 'kind', rgb_hex: 'rgbHex', ryb_hex: 'rybHex', subject_rgb_hex: 'subjectRgbHex', subject_ryb_hex: 'subjectRybHex' } as const;
    const countBy = async (column: keyof typeof property, where: FilterQuery<ImageRow>): Promise<Record<string, number>> => {
      const rows: { value: string; n: number | string }[] = await em
        .createQueryBuilder(ImageSchema)
        .select([raw(`${column} as value`), raw('count(*) as n')])
        .where({ $and: [{ [property[column]]: { $ne: null } }, where] } as FilterQuery<ImageRow>)
        .groupBy(raw(column))
        .execute('all', false);
      const out: Record<string, number> = {};
      for (const row of [...rows].sort((a, b) => compare(a.value, b.value))) out[row.value] = Number(row.n);
      return out;
    };
    const total = await em.count(ImageSchema, all);
    const kinds = await countBy('kind', exceptKind);
    const rgb = await countBy('rgb_hex', exceptColour);
    const ryb = await countBy('ryb_hex', exceptColour);
    const subjectColours = { RGB: await countBy('subject_rgb_hex', exceptColour), RYB: await countBy('subject_ryb_hex', exceptColour) };
    return { total, kinds, colours: { RGB: rgb, RYB: ryb }, subjectColours };
  }

  /** `facets` for filters the counters answer (see countersAnswer): three reads of the counters. */
  private async facetsFromCounters(filters: CatalogFilters): Promise<Facets> {
    const total = await this.counterTotal(filters);
    // Kinds, under the colour and source filters.
    const facet = colourFacetOf(filters);
    const kindWhere: [string, unknown][] = [['"facet" = ?', facet ?? 'total'], [`"kind" <> ''`, undefined], ['"n" > 0', undefined]];
    if (filters.colour !== undefined) kindWhere.push(['"value" = ?', filters.colour.toUpperCase()]);
    const kindRows = await this.countFromCounters(filters, '"kind", sum("n") as n', kindWhere, '"kind"');
    // Colours of every facet, under the kind and source filters.
    const colourWhere: [string, unknown][] = [[`"facet" <> 'total'`, undefined], ['"n" > 0', undefined]];
    if (filters.kind !== undefined) colourWhere.push(['"kind" = ?', filters.kind]);
    const colourRows = await this.countFromCounters(filters, '"facet", "value", sum("n") as n', colourWhere, '"facet", "value"');
    const byValue = (rows: { value: string; n: number }[]) => {
      const out: Record<string, number> = {};
      for (const row of rows.sort((a, b) => compare(a.value, b.value))) if (row.n > 0) out[row.value] = row.n;
      return out;
    };
    const colours = (f: ColourFacet) => byValue(colourRows.filter((r) => r.facet === f).map((r) => ({ value: r.value as string, n: Number(r.n) })));
    return {
      total,
      kinds: byValue(kindRows.map((r) => ({ value: r.kind as string, n: Number(r.n) }))),
      colours: { RGB: colours('rgb'), RYB: colours('ryb') },
      subjectColours: { RGB: colours('subject_rgb'), RYB: colours('subject_ryb') },
    };
  }

  async reset(projection: string): Promise<void> {
    this.assertOpen();
    assertProjection(projection);
    await this.em().transactional(async (em) => {
      // Same lock as `project`, so a reset never interleaves with a projector's transaction.
      const checkpoint = await this.lockCheckpoint(em, projection);
      await em.nativeDelete(ClassificationSchema, {});
      await em.nativeDelete(CorrectionSchema, {});
      await em.nativeDelete(DeletedImageSchema, {});
      await em.nativeDelete(ImageSchema, {});
      await em.execute(`delete from ${this.table(FACET_COUNTS_TABLE)}`, [], 'run');
      em.remove(checkpoint);
    });
    this.viewCache.clear();
    this.sampleViewCache.clear();
  }

  async dump(projection: string): Promise<DumpRow[]> {
    this.assertOpen();
    assertProjection(projection);
    const em = this.em();
    const images = (await em.find(ImageSchema, {})).map(toImageView);
    images.sort((a, b) => compare(a.imageId, b.imageId));
    const history = (await em.find(ClassificationSchema, {})).map(toClassificationView);
    history.sort((a, b) => a.position - b.position || compare(a.eventId, b.eventId));
    const corrections = (await em.find(CorrectionSchema, {})).map(toCorrectionView);
    corrections.sort((a, b) => a.position - b.position || compare(a.eventId, b.eventId));
    const deleted = (await em.find(DeletedImageSchema, {})).map((r) => ({ imageId: r.imageId, position: Number(r.position) }));
    deleted.sort((a, b) => compare(a.imageId, b.imageId));
    return [
      ...images.map((row): DumpRow => ({ table: 'images', ...row })),
      ...history.map((row): DumpRow => ({ table: 'classifications', ...row })),
      ...corrections.map((row): DumpRow => ({ table: 'corrections', ...row })),
      ...deleted.map((row): DumpRow => ({ table: 'deleted_images', ...row })),
    ];
  }

  async sync(): Promise<void> {
    this.assertOpen();
    if (this.walFile) await syncWal(this.walFile);
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await this.em().getConnection().execute('select 1 as ok');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.orm.close(true);
  }

  // ---------------------------------------------------------------------------------------

  /**
   * Recounts the facet counters from the image rows (not part of the port: for rows written
   * other than by `project`, e.g. a benchmark's synthetic catalog).
   */
  async recountFacets(): Promise<void> {
    this.assertOpen();
    await this.em().transactional(async (em) => {
      await this.lockCheckpoint(em, CATALOG_PROJECTION);
      for (const sql of recountStatements(this.table(FACET_COUNTS_TABLE), this.table('images'))) await em.execute(sql, [], 'run');
    });
  }

  /**
   * The views of the rows a query selects, mapped straight from the database's columns: no
   * entities (hydrating and snapshotting them was most of a read's CPU time).
   */
  private async views(sql: string, params: unknown[]): Promise<ImageView[]> {
    const now = Date.now();
    return (await this.read(sql, params)).map((row) => this.viewCache.view(row, rawToImageView, now));
  }

  /**
   * `views` for the random sample, in one step (its rows are seldom kept over a large catalog,
   * so a second query for the missing ones would cost more than whole rows for all): kept views
   * of either cache, new ones kept apart (sampleViewCache).
   */
  private async sampledViews(sql: string, params: unknown[]): Promise<ImageView[]> {
    const now = Date.now();
    return (await this.read(sql, params)).map(
      (row) => this.viewCache.kept(row['image_id'] as string, row['last_position'], now) ?? this.sampleViewCache.view(row, rawToImageView, now),
    );
  }

  /**
   * `views` of `select * <rest>` in two steps: the ids and positions the query selects, then
   * whole rows only for those whose view is not kept (a whole row is ~3 KB of column text to
   * read and convert; the hot pages are kept), kept in viewCache. A row deleted between the steps
   * is left out; a row changed between them comes back as it is now.
   */
  private async keptViews(rest: string, params: unknown[]): Promise<ImageView[]> {
    const now = Date.now();
    const keys = await this.read<{ image_id: string; last_position: unknown }>(`select "image_id", "last_position" ${rest}`, params);
    const views = keys.map((k) => this.viewCache.kept(k.image_id, k.last_position, now) ?? this.sampleViewCache.kept(k.image_id, k.last_position, now));
    const missing = keys.filter((_, i) => views[i] === undefined).map((k) => k.image_id);
    if (missing.length === 0) return views as ImageView[];
    const rows = await this.read(`select * from ${this.table('images')} where "image_id" in (${missing.map(() => '?').join(', ')})`, missing);
    const loaded = new Map(rows.map((row) => [row['image_id'] as string, this.viewCache.view(row, rawToImageView, now)]));
    return keys.map((k, i) => views[i] ?? loaded.get(k.image_id)).filter((v): v is ImageView => v !== undefined);
  }

  /**
   * A read-only query on a pooled connection of the ORM's, each statement prepared once per
   * connection (SQLite: a libSQL statement; PostgreSQL: a named statement the server parses and
   * plans once): the ORM's query builder, knex and a fresh prepare or plan cost more than the
   * query itself on the hot path. Never called inside a transaction (on SQLite it would wait for
   * the transaction's connection).
   */
  private async read<T = Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]> {
    return (await this.runner().read(sql, params)) as T[];
  }

  /** A timestamp as a query parameter: epoch milliseconds on SQLite (how the ORM stores it), a Date on PostgreSQL. */
  private timeParam(at: Date): number | Date {
    return this.engine === 'sqlite' ? at.getTime() : at;
  }

  /** A table's name for raw SQL (schema-qualified on PostgreSQL). */
  private table(name: string): string {
    return this.schema ? `"${this.schema}"."${name}"` : `"${name}"`;
  }

  /**
   * The counters' answer for `filters` when they can give one: filters on kind, palette,
   * colour, measure and source only (already validated). `where`: SQL conditions on the
   * counter rows and their parameters.
   */
  private async countFromCounters(
    filters: CatalogFilters,
    select: string,
    where: [string, unknown][],
    groupBy?: string,
  ): Promise<{ kind?: string; facet?: string; value?: string; n: number | string | null }[]> {
    const conditions = where.map(([sql]) => sql);
    const params = where.filter(([, p]) => p !== undefined).map(([, p]) => p);
    if (filters.source !== undefined) {
      conditions.push('"source" = ?');
      params.push(filters.source);
    }
    const sql =
      `select ${select} from ${this.table(FACET_COUNTS_TABLE)}` +
      (conditions.length ? ` where ${conditions.join(' and ')}` : '') +
      (groupBy ? ` group by ${groupBy}` : '');
    return this.read(sql, params);
  }

  /** Images matching `filters` (counter-answerable ones): the counters' total. */
  private async counterTotal(filters: CatalogFilters): Promise<number> {
    const facet = colourFacetOf(filters);
    const where: [string, unknown][] = [['"facet" = ?', facet ?? 'total']];
    if (filters.colour !== undefined) where.push(['"value" = ?', filters.colour.toUpperCase()]);
    if (filters.kind !== undefined) where.push(['"kind" = ?', filters.kind]);
    const [row] = await this.countFromCounters(filters, 'sum("n") as n', where);
    return Number(row?.n ?? 0);
  }

  private em(): EntityManager {
    return this.orm.em.fork() as EntityManager;
  }

  /** Plain prepared SQL on the ORM's pooled connections: the read path's and the projection's. */
  private runner(): SqlTransactionRunner {
    if (!this.sqlRunner) {
      // The ORM's own knex client: no EntityManager fork per call (forking one was ~4 % of a browse request's CPU).
      const pool = (this.orm.em as EntityManager).getKnex().client as unknown as SqliteKnexPool & PostgresKnexPool;
      this.sqlRunner = this.engine === 'sqlite' ? new SqliteTransactionRunner(pool) : new PostgresTransactionRunner(pool);
    }
    return this.sqlRunner;
  }

  /** The projection's writes (see ./sql-projection-writer). */
  private writer(): SqlProjectionWriter {
    this.projectionWriter ??= new SqlProjectionWriter(this.runner(), (name) => this.table(name));
    return this.projectionWriter;
  }

  private assertOpen(): void {
    if (this.closed) throw new ReadModelClosedError();
  }

  /**
   * Creates the projection's checkpoint row when missing, then loads it; on PostgreSQL with
   * `FOR UPDATE`, so a second projector instance waits here until the first commits and then
   * sees its rows (this serialises all writers of a projection, which also keeps two racing
   * uploads of a new image from both inserting it). On SQLite the insert, a write even when
   * it changes nothing, takes the database's write lock before anything is read, which
   * serialises writers the same way (busy_timeout makes the second one wait).
   */
  private async lockCheckpoint(em: EntityManager, name: string) {
    await em.createQueryBuilder(CheckpointSchema).insert({ name, position: null }).onConflict('name').ignore().execute();
    return em.findOneOrFail(
      CheckpointSchema,
      { name },
      this.engine === 'postgres' ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
  }
}

function assertProjection(projection: string): void {
  if (projection !== CATALOG_PROJECTION) throw new UnknownProjectionError(String(projection));
}

function assertCheckpointName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) throw new InvalidCheckpointNameError(name);
}

function assertPosition(position: number): void {
  if (!Number.isSafeInteger(position) || position < 0) throw new InvalidPositionError(position);
}

function sampleFilter(query: SampleQuery): FilterQuery<ImageRow> {
  if (!query || typeof query !== 'object') throw new InvalidSampleQueryError('the query must be an object');
  const { count, kind, palette, colour, measure } = query;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SAMPLE_COUNT) {
    throw new InvalidSampleQueryError(`count must be an integer from 1 to ${MAX_SAMPLE_COUNT}, got ${String(count)}`);
  }
  return catalogFilters({ kind, palette, colour, measure }, InvalidSampleQueryError);
}

/** The row filter of every given catalog filter; `Invalid` is the error class to throw for a bad value. */
function catalogFilters(filters: CatalogFilters, Invalid: new (message: string) => Error): FilterQuery<ImageRow> {
  const { kind, palette, colour, measure, source, modelVersion, minConfidence, maxConfidence, review } = filters;
  const where: Record<string, unknown> = {};
  const and: Record<string, unknown>[] = [];
  if (kind !== undefined) {
    if (typeof kind !== 'string' || kind === '') throw new Invalid('kind must be a non-empty string');
    where['kind'] = kind;
  }
  if (palette !== undefined && !PALETTES.includes(palette)) {
    throw new Invalid(`palette must be RGB or RYB, got ${String(palette)}`);
  }
  if (colour !== undefined) {
    if (palette === undefined) throw new Invalid('a colour filter needs a palette');
    if (typeof colour !== 'string' || !HEX.test(colour.toUpperCase())) {
      throw new Invalid(`colour must be "#RRGGBB", got ${String(colour)}`);
    }
  }
  if (measure !== undefined && !isColourMeasure(measure)) {
    throw new Invalid(`measure must be photo or subject, got ${String(measure)}`);
  }
  if (palette !== undefined) {
    // A palette without a colour still restricts to images with colours projected.
    const subject = measure === 'subject';
    const column = palette === 'RGB' ? (subject ? 'subjectRgbHex' : 'rgbHex') : subject ? 'subjectRybHex' : 'rybHex';
    where[column] = colour !== undefined ? colour.toUpperCase() : { $ne: null };
  }
  if (source !== undefined) {
    if (source !== 'upload' && source !== 'catalog') throw new Invalid(`source must be upload or catalog, got ${String(source)}`);
    where['source'] = source;
  }
  if (modelVersion !== undefined) {
    if (typeof modelVersion !== 'string' || modelVersion === '') throw new Invalid('modelVersion must be a non-empty string');
    where['modelVersion'] = modelVersion;
  }
  const bound = (value: number | undefined, name: string): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new Invalid(`${name} must be a number from 0 to 1, got ${String(value)}`);
    return value;
  };
  const min = bound(minConfidence, 'minConfidence');
  const max = bound(maxConfidence, 'maxConfidence');
  if (min !== undefined && max !== undefined && min > max) throw new Invalid(`minConfidence ${min} is above maxConfidence ${max}`);
  if (min !== undefined) and.push({ confidence: { $gte: min } });
  if (max !== undefined) and.push({ confidence: { $lte: max } });
  if (review !== undefined && typeof review !== 'boolean') throw new Invalid('review must be true or false');
  if (review) {
    where['correctedKind'] = null;
    and.push({
      $or: [{ confidence: { $lt: REVIEW_CONFIDENCE_THRESHOLD } }, { modelKind: NOT_A_VEGETABLE }, { modelsDisagree: true }],
    });
  }
  return (and.length ? { $and: [where, ...and] } : where) as FilterQuery<ImageRow>;
}

/**
 * Sort keys of `list`. Confidence sorts coalesce a missing confidence past either end, so
 * unclassified images come last in both directions; the migration indexes the same expressions.
 */
const CONFIDENCE_ASC_KEY = 'coalesce(confidence, 2)';
const CONFIDENCE_DESC_KEY = 'coalesce(confidence, -1)';

function sortKeyOf(sort: ListSort, row: ImageView): string | number {
  if (isTimeSort(sort)) return row.uploadedAt;
  if (row.confidence !== null && row.confidence !== undefined) return row.confidence;
  return sort === 'confidence_asc' ? 2 : -1;
}

/** Orders of `list` in SQL: the same keys the migration indexes. */
const SORT_SQL: Record<ListSort, { key: string; direction: 'asc' | 'desc' }> = {
  newest: { key: '"uploaded_at"', direction: 'desc' },
  oldest: { key: '"uploaded_at"', direction: 'asc' },
  confidence_asc: { key: CONFIDENCE_ASC_KEY, direction: 'asc' },
  confidence_desc: { key: CONFIDENCE_DESC_KEY, direction: 'desc' },
};

/**
 * The SQL conditions (and parameters) of catalog filters already validated by catalogFilters,
 * the same conditions as its row filter.
 */
function filterSql(filters: CatalogFilters, engine: ReadModelEngine): { where: string[]; params: unknown[] } {
  const { kind, palette, colour, source, modelVersion, minConfidence, maxConfidence, review } = filters;
  const where: string[] = [];
  const params: unknown[] = [];
  const is = (condition: string, value: unknown) => {
    where.push(condition);
    params.push(value);
  };
  if (kind !== undefined) is('"kind" = ?', kind);
  if (palette !== undefined) {
    const column = COLOUR_FACETS.find((f) => f.facet === colourFacetOf(filters))!.column;
    if (colour !== undefined) is(`"${column}" = ?`, colour.toUpperCase());
    else where.push(`"${column}" is not null`);
  }
  if (source !== undefined) is('"source" = ?', source);
  if (modelVersion !== undefined) is('"model_version" = ?', modelVersion);
  if (minConfidence !== undefined) is('"confidence" >= ?', minConfidence);
  if (maxConfidence !== undefined) is('"confidence" <= ?', maxConfidence);
  if (review) {
    where.push(`"corrected_kind" is null and ("confidence" < ? or "model_kind" = ? or "models_disagree" = ${engine === 'postgres' ? 'true' : '1'})`);
    params.push(REVIEW_CONFIDENCE_THRESHOLD, NOT_A_VEGETABLE);
  }
  return { where, params };
}

function whereSql(conditions: string[]): string {
  return conditions.length ? ` where ${conditions.map((c) => `(${c})`).join(' and ')}` : '';
}

/** Whether the facet counters answer these (valid) filters: only kind, palette, colour, measure and source given. */
function countersAnswer(filters: CatalogFilters): boolean {
  return filters.modelVersion === undefined && filters.minConfidence === undefined && filters.maxConfidence === undefined && !filters.review;
}

/** The colour facet a palette (and measure) filter names, if any. */
function colourFacetOf(filters: CatalogFilters): ColourFacet | undefined {
  if (filters.palette === undefined) return undefined;
  const name = `${filters.measure === 'subject' ? 'subject_' : ''}${filters.palette === 'RGB' ? 'rgb' : 'ryb'}`;
  return COLOUR_FACETS.find((f) => f.facet === name)!.facet;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

function toImageView(row: ImageRow): ImageView {
  return {
    imageId: row.imageId,
    objectKey: row.objectKey,
    sha256: row.sha256,
    contentType: row.contentType,
    width: row.width,
    height: row.height,
    sizeBytes: Number(row.sizeBytes),
    source: row.source,
    datasetSplit: row.datasetSplit ?? null,
    groundTruthKind: row.groundTruthKind ?? null,
    originalName: row.originalName ?? null,
    uploadedAt: row.uploadedAt.toISOString(),
    uploadCount: row.uploadCount,
    kind: row.kind ?? null,
    labelSource: row.correctedKind ? 'person' : row.modelKind ? 'model' : null,
    modelKind: row.modelKind ?? null,
    correction: row.correctedKind
      ? { kind: row.correctedKind, by: row.correctedBy ?? '', at: iso(row.correctedAt ?? null) ?? '', note: row.correctionNote ?? '' }
      : null,
    confidence: row.confidence ?? null,
    top: (row.top ?? []).map((k) => ({ kind: k.kind, confidence: k.confidence })),
    modelVersion: row.modelVersion ?? null,
    classifiedAt: iso(row.classifiedAt ?? null),
    rgbHex: row.rgbHex ?? null,
    rybHex: row.rybHex ?? null,
    rgbShares: (row.rgbShares ?? []).map((s) => ({ hex: s.hex, share: s.share })),
    rybShares: (row.rybShares ?? []).map((s) => ({ hex: s.hex, share: s.share })),
    colourAlgorithm: row.colourAlgorithm ?? null,
    colouredAt: iso(row.colouredAt ?? null),
    subjectColours:
      row.subjectRgbHex && row.subjectRybHex
        ? {
            rgbHex: row.subjectRgbHex,
            rybHex: row.subjectRybHex,
            rgbShares: (row.subjectRgbShares ?? []).map((s) => ({ hex: s.hex, share: s.share })),
            rybShares: (row.subjectRybShares ?? []).map((s) => ({ hex: s.hex, share: s.share })),
            algorithm: row.subjectColourAlgorithm ?? '',
            colouredAt: iso(row.subjectColouredAt ?? null) ?? '',
          }
        : null,
    status: row.status,
  };
}

/** A JSON column as read: text on SQLite, parsed on PostgreSQL. */
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** A timestamp column as read: epoch milliseconds on SQLite, a Date on PostgreSQL. */
function isoOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return new Date(typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : (value as number | string)).toISOString();
}

/** toImageView of a row as the database returns it (column names, engine types). */
function rawToImageView(r: Record<string, unknown>): ImageView {
  const str = (v: unknown) => (v === null || v === undefined ? null : (v as string));
  const shares = (v: unknown) => (json<PaletteShareView[] | null>(v) ?? []).map((x) => ({ hex: x.hex, share: x.share }));
  const correctedKind = str(r['corrected_kind']);
  const modelKind = str(r['model_kind']);
  const subjectRgb = str(r['subject_rgb_hex']);
  const subjectRyb = str(r['subject_ryb_hex']);
  return {
    imageId: r['image_id'] as string,
    objectKey: r['object_key'] as string,
    sha256: r['sha256'] as string,
    contentType: r['content_type'] as string,
    width: Number(r['width']),
    height: Number(r['height']),
    sizeBytes: Number(r['size_bytes']),
    source: r['source'] as ImageView['source'],
    datasetSplit: str(r['dataset_split']),
    groundTruthKind: str(r['ground_truth_kind']),
    originalName: str(r['original_name']),
    uploadedAt: isoOf(r['uploaded_at'])!,
    uploadCount: Number(r['upload_count']),
    kind: str(r['kind']),
    labelSource: correctedKind ? 'person' : modelKind ? 'model' : null,
    modelKind,
    correction: correctedKind
      ? { kind: correctedKind, by: str(r['corrected_by']) ?? '', at: isoOf(r['corrected_at']) ?? '', note: str(r['correction_note']) ?? '' }
      : null,
    confidence: r['confidence'] === null || r['confidence'] === undefined ? null : Number(r['confidence']),
    top: (json<KindScoreView[] | null>(r['top']) ?? []).map((k) => ({ kind: k.kind, confidence: k.confidence })),
    modelVersion: str(r['model_version']),
    classifiedAt: isoOf(r['classified_at']),
    rgbHex: str(r['rgb_hex']),
    rybHex: str(r['ryb_hex']),
    rgbShares: shares(r['rgb_shares']),
    rybShares: shares(r['ryb_shares']),
    colourAlgorithm: str(r['colour_algorithm']),
    colouredAt: isoOf(r['coloured_at']),
    subjectColours:
      subjectRgb && subjectRyb
        ? {
            rgbHex: subjectRgb,
            rybHex: subjectRyb,
            rgbShares: shares(r['subject_rgb_shares']),
            rybShares: shares(r['subject_ryb_shares']),
            algorithm: str(r['subject_colour_algorithm']) ?? '',
            colouredAt: isoOf(r['subject_coloured_at']) ?? '',
          }
        : null,
    status: r['status'] as ImageView['status'],
  };
}

function toClassificationView(row: ClassificationRow): ClassificationView {
  return {
    eventId: row.eventId,
    imageId: row.imageId,
    modelVersion: row.modelVersion,
    kind: row.kind,
    confidence: row.confidence,
    top: (row.top ?? []).map((k) => ({ kind: k.kind, confidence: k.confidence })),
    classifiedAt: row.classifiedAt.toISOString(),
    position: Number(row.position),
  };
}

function toCorrectionView(row: CorrectionRow): CorrectionView {
  return {
    eventId: row.eventId,
    imageId: row.imageId,
    kind: row.kind,
    note: row.note,
    correctedBy: row.correctedBy,
    correctedAt: row.correctedAt.toISOString(),
    previousKind: row.previousKind ?? null,
    position: Number(row.position),
  };
}

/**
 * In WAL mode with synchronous=NORMAL a commit appends its pages to the WAL file without syncing
 * it (a checkpoint syncs the WAL before copying it into the database, and the database after).
 * Syncing the WAL file makes every commit appended so far durable, as synchronous=FULL does at
 * each commit: a commit written before this call is in the WAL (synced here) or already
 * checkpointed (synced then). No WAL file: everything was checkpointed (the last connection
 * closed it).
 */
async function syncWal(walFile: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(walFile, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
