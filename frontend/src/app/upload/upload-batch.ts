// The list of uploads as one batch: which item may be retried, removed or cancelled, what
// "Clear finished" takes away, and the overall summary (counted in items, not bytes).
import { computed, signal } from '@angular/core';
import { problemOf } from '../core/errors';
import type { UploadTask } from './upload-task';

/** Failures that another try of the same file may get past: no connection, timeouts, the server's own trouble. */
export function isRetryableError(error: unknown): boolean {
  const { status, code } = problemOf(error);
  if (code === 'live_lost') return false; // the upload itself succeeded
  if (status === 0 || status === 408 || status === 429 || status >= 500) return true;
  // A cut-off body is a transport problem, not the file's.
  return code === 'malformed_multipart';
}

/** An item whose outcome is known: labelled, failed or cancelled. */
export function isFinished(task: UploadTask): boolean {
  const phase = task.phase();
  return phase === 'done' || phase === 'error' || phase === 'cancelled';
}

/** Retry: a cancelled upload, or a failed one that may go through another time (not a 415 or 413, say). */
export function canRetry(task: UploadTask): boolean {
  if (!task.file) return false;
  const phase = task.phase();
  return phase === 'cancelled' || (phase === 'error' && isRetryableError(task.error()));
}

/** Cancel: only while the file is being sent. */
export function canCancel(task: UploadTask): boolean {
  return task.phase() === 'uploading';
}

/** Remove from the list: anything but an upload in flight (cancel that first). */
export function canRemove(task: UploadTask): boolean {
  return task.phase() !== 'uploading';
}

export interface BatchSummary {
  total: number;
  /** Items with a known outcome (done + failed + cancelled). */
  finished: number;
  /** Labelled. */
  done: number;
  failed: number;
  cancelled: number;
  uploading: number;
  /** Uploaded, waiting for the labels. */
  processing: number;
  /** finished / total, 0..100 (items, not bytes). */
  percent: number;
}

export function summarize(tasks: readonly UploadTask[]): BatchSummary {
  const summary: BatchSummary = { total: tasks.length, finished: 0, done: 0, failed: 0, cancelled: 0, uploading: 0, processing: 0, percent: 0 };
  for (const task of tasks) {
    const phase = task.phase();
    if (phase === 'done') summary.done++;
    else if (phase === 'error') summary.failed++;
    else if (phase === 'cancelled') summary.cancelled++;
    else if (phase === 'uploading') summary.uploading++;
    else summary.processing++;
  }
  summary.finished = summary.done + summary.failed + summary.cancelled;
  summary.percent = summary.total ? Math.round((100 * summary.finished) / summary.total) : 0;
  return summary;
}

export class UploadBatch {
  private readonly list = signal<UploadTask[]>([]);
  /** Newest first. */
  readonly items = this.list.asReadonly();
  readonly summary = computed(() => summarize(this.list()));
  readonly hasFinished = computed(() => this.list().some(isFinished));

  /** Puts new items on top of the list. */
  add(tasks: readonly UploadTask[]): void {
    if (tasks.length) this.list.update((list) => [...tasks, ...list]);
  }

  find(id: number): UploadTask | undefined {
    return this.list().find((t) => t.id === id);
  }

  /** Takes one item off the list, unless it is uploading; returns it when it was removed. */
  remove(id: number): UploadTask | undefined {
    const task = this.find(id);
    if (!task || !canRemove(task)) return undefined;
    this.list.update((list) => list.filter((t) => t !== task));
    return task;
  }

  /** Takes the finished items off the list (never one uploading or waiting for labels); returns them. */
  clearFinished(): UploadTask[] {
    const removed = this.list().filter(isFinished);
    if (removed.length) this.list.update((list) => list.filter((t) => !isFinished(t)));
    return removed;
  }

  /** Everything, for clean-up when the page goes away. */
  clearAll(): UploadTask[] {
    const all = this.list();
    this.list.set([]);
    return all;
  }
}
