// The training set from the log: every image whose kind a person gave (imported from a
// ground-truth folder, or corrected; the newest correction wins) and that is not deleted, written
// as <out>/<folder>/<sha256>.<ext> with a manifest.json that names, for each file, where its kind
// comes from and, in its header, up to which log position the truth was read. The truth is the
// event log folded per image with the domain's evolve (never the read model), the bytes are the
// originals from object storage, checked against the sha256 the log recorded. The set is written
// into a temporary folder next to <out> and renamed at the end, so <out> is either the whole set
// or untouched; a failure (or an abort) removes the temporary folder.
import { Inject, Injectable } from '@nestjs/common';
import type { VegvisionConfig } from '@vegvision/config';
import { decodeEvent } from '@vegvision/contracts';
import {
  KINDS,
  NOT_A_VEGETABLE,
  emptyState,
  evolve,
  imageIdFromStreamId,
  personLabel,
  type ImageState,
  type PersonLabelSource,
} from '@vegvision/domain';
import type { EventStore } from '@vegvision/event-store';
import { ObjectNotFoundError, type ObjectStorage } from '@vegvision/storage';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG, EVENT_STORE, OBJECT_STORAGE } from './tokens';

export const TRAINING_SET_FORMAT = 'vegvision-training-set/1';
export const TRAINING_SET_MANIFEST = 'manifest.json';
/** The trainer's folder of the negative class (services/trainer: real-photos/_negative/). */
export const NEGATIVE_FOLDER = '_negative';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/heic': 'heic',
  'image/heif': 'heif',
};

export interface TrainingSetItem {
  imageId: string;
  /** The kind a person gave: one of the 15 kinds or not_a_vegetable. */
  kind: string;
  source: PersonLabelSource;
  /** Path of the file relative to the set's folder: <Kind or _negative>/<sha256>.<ext>. */
  file: string;
  sha256: string;
  contentType: string;
  sizeBytes: number;
  /** The dataset split the import folder named (train, validation, ...), null when none. */
  datasetSplit: string | null;
  /** Revision of the image's stream the truth was folded up to. */
  revision: number;
}

export interface TrainingSetManifest {
  format: typeof TRAINING_SET_FORMAT;
  exportedAt: string;
  /** The log as read: every event up to `position` (the head when the export began), `events` of them. */
  log: { position: number; events: number };
  /** The adapters the truth and the originals came from (no addresses or credentials). */
  source: { mode: string; eventStore: string; storage: string };
  total: number;
  /** Files per kind (every kind and not_a_vegetable, zeros included). */
  counts: Record<string, number>;
  bySource: Record<PersonLabelSource, number>;
  /** Folder of each label: the kind's own name, not_a_vegetable in _negative. */
  folders: Record<string, string>;
  /** Images a person labelled that are not in the set: original gone, or its bytes differ from the recorded sha256. */
  skipped: { imageId: string; reason: 'original_missing' | 'sha256_mismatch' }[];
  items: TrainingSetItem[];
}

export interface TrainingSetProgress {
  total: number;
  done: number;
  written: number;
  skipped: number;
}

export interface TrainingSetExportOptions {
  /** Overwrite a non-empty `out` (replaced whole, at the end). */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: TrainingSetProgress) => void;
  now?: () => Date;
}

export class TrainingSetExportError extends Error {
  constructor(
    readonly code: 'output_not_empty' | 'output_not_a_directory' | 'aborted',
    message: string,
  ) {
    super(message);
    this.name = 'TrainingSetExportError';
  }
}

/** The folder a label's files go to. */
export const trainingSetFolder = (kind: string): string => (kind === NOT_A_VEGETABLE ? NEGATIVE_FOLDER : kind);

const LABELS = [...KINDS, NOT_A_VEGETABLE];

interface Labelled {
  imageId: string;
  label: { kind: string; source: PersonLabelSource };
  sha256: string;
  originalKey: string;
  state: ImageState;
}

@Injectable()
export class TrainingSetExportService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(CONFIG) private readonly config: VegvisionConfig,
  ) {}

  /** Writes the set to `out` and returns its manifest. */
  async export(out: string, options: TrainingSetExportOptions = {}): Promise<TrainingSetManifest> {
    const target = path.resolve(out);
    checkTarget(target, !!options.force);
    const { states, position, events } = await this.foldLog();
    const labelled: Labelled[] = [];
    for (const state of states.values()) {
      const label = personLabel(state);
      if (label && state.sha256 && state.originalKey) {
        labelled.push({ imageId: state.imageId, label, sha256: state.sha256, originalKey: state.originalKey, state });
      }
    }
    labelled.sort((a, b) => trainingSetFolder(a.label.kind).localeCompare(trainingSetFolder(b.label.kind)) || a.sha256.localeCompare(b.sha256));

    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.export-${randomBytes(6).toString('hex')}`);
    fs.mkdirSync(tmp);
    try {
      const items: TrainingSetItem[] = [];
      const skipped: TrainingSetManifest['skipped'] = [];
      const progress: TrainingSetProgress = { total: labelled.length, done: 0, written: 0, skipped: 0 };
      options.onProgress?.({ ...progress });
      for (const { imageId, label, sha256, originalKey, state } of labelled) {
        if (options.signal?.aborted) throw new TrainingSetExportError('aborted', 'export aborted; nothing written');
        const bytes = await this.original(originalKey);
        if (!bytes || createHash('sha256').update(bytes).digest('hex') !== sha256) {
          skipped.push({ imageId, reason: bytes ? 'sha256_mismatch' : 'original_missing' });
          progress.skipped++;
        } else {
          const contentType = state.contentType ?? 'application/octet-stream';
          const folder = trainingSetFolder(label.kind);
          const file = `${folder}/${sha256}.${EXTENSIONS[contentType] ?? 'bin'}`;
          fs.mkdirSync(path.join(tmp, folder), { recursive: true });
          fs.writeFileSync(path.join(tmp, file), bytes, { flag: 'wx' });
          items.push({
            imageId,
            kind: label.kind,
            source: label.source,
            file,
            sha256,
            contentType,
            sizeBytes: bytes.length,
            datasetSplit: state.datasetSplit,
            revision: state.revision,
          });
          progress.written++;
        }
        progress.done++;
        options.onProgress?.({ ...progress });
      }
      const manifest: TrainingSetManifest = {
        format: TRAINING_SET_FORMAT,
        exportedAt: (options.now?.() ?? new Date()).toISOString(),
        log: { position, events },
        source: { mode: this.config.mode, eventStore: this.config.eventStore.kind, storage: this.config.storage.kind },
        total: items.length,
        counts: Object.fromEntries(LABELS.map((l) => [l, items.filter((i) => i.kind === l).length])),
        bySource: {
          ground_truth: items.filter((i) => i.source === 'ground_truth').length,
          correction: items.filter((i) => i.source === 'correction').length,
        },
        folders: Object.fromEntries(LABELS.map((l) => [l, trainingSetFolder(l)])),
        skipped,
        items,
      };
      fs.writeFileSync(path.join(tmp, TRAINING_SET_MANIFEST), JSON.stringify(manifest, null, 1) + '\n', { flag: 'wx' });
      if (options.signal?.aborted) throw new TrainingSetExportError('aborted', 'export aborted; nothing written');
      replace(target, tmp, !!options.force);
      return manifest;
    } catch (error) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw error;
    }
  }

  /** Every image stream folded with the domain's evolve, up to the head position when the read began. */
  private async foldLog(): Promise<{ states: Map<string, ImageState>; position: number; events: number }> {
    const position = await this.store.headPosition();
    const states = new Map<string, ImageState>();
    let events = 0;
    if (position < 0) return { states, position, events };
    for await (const stored of this.store.readAll({ from: 'start' })) {
      // Events appended while the export runs are left for the next export: the header names the position.
      if (stored.position > position) break;
      events++;
      const imageId = imageIdFromStreamId(stored.streamId);
      if (!imageId) continue;
      states.set(imageId, evolve(states.get(imageId) ?? emptyState(imageId), decodeEvent(stored)));
    }
    return { states, position, events };
  }

  private async original(key: string): Promise<Buffer | null> {
    try {
      return await this.storage.get(key);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return null;
      throw error;
    }
  }
}

function checkTarget(target: string, force: boolean): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return; // absent: created at the end
  }
  if (!stat.isDirectory()) throw new TrainingSetExportError('output_not_a_directory', `${target} exists and is not a directory`);
  if (!force && fs.readdirSync(target).length > 0) {
    throw new TrainingSetExportError('output_not_empty', `${target} is not empty (pass --force to replace it)`);
  }
}

/** Puts the finished set at `target`: a rename, after moving a previous folder aside (--force). */
function replace(target: string, tmp: string, force: boolean): void {
  checkTarget(target, force); // again: something may have been written there meanwhile
  let aside: string | null = null;
  if (fs.existsSync(target)) {
    aside = `${tmp}.old`;
    fs.renameSync(target, aside);
  }
  try {
    fs.renameSync(tmp, target);
  } catch (error) {
    if (aside) fs.renameSync(aside, target);
    throw error;
  }
  if (aside) fs.rmSync(aside, { recursive: true, force: true });
}
