// HTTP access to the vegvision API (same origin; the dev server proxies /api).
import { HttpClient, HttpErrorResponse, HttpHeaders, HttpParams, type HttpEvent } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { retry, throwError, timer, type Observable } from 'rxjs';
import { problemOf } from './errors';
import type { BrowseResponse, CorrectionRecorded, Facets, ImageDetail, ModelsResponse, PaletteName, UploadAccepted } from './api.types';

export interface BrowseParams {
  count: number;
  kind?: string | null;
  palette?: PaletteName | null;
  colour?: string | null;
}

@Injectable({ providedIn: 'root' })
export class ApiService {
  private readonly http = inject(HttpClient);

  browse(params: BrowseParams): Observable<BrowseResponse> {
    let p = new HttpParams().set('count', params.count);
    if (params.kind) p = p.set('kind', params.kind);
    if (params.colour && params.palette) p = p.set('palette', params.palette).set('colour', params.colour);
    return this.http.get<BrowseResponse>('/api/images', { params: p });
  }

  facets(): Observable<Facets> {
    return this.http.get<Facets>('/api/catalog/facets');
  }

  image(id: string): Observable<ImageDetail> {
    return this.http.get<ImageDetail>(`/api/images/${encodeURIComponent(id)}`);
  }

  /** A person's kind for the image (needs an editor token). */
  correct(id: string, correction: { kind: string; note?: string }, token: string): Observable<CorrectionRecorded> {
    return this.http.post<CorrectionRecorded>(`/api/images/${encodeURIComponent(id)}/corrections`, correction, {
      headers: new HttpHeaders({ Authorization: `Bearer ${token}` }),
    });
  }

  /** Deletes the image: its original and its catalog entry (needs an editor token). */
  deleteImage(id: string, token: string): Observable<void> {
    return this.http.delete<void>(`/api/images/${encodeURIComponent(id)}`, { headers: new HttpHeaders({ Authorization: `Bearer ${token}` }) });
  }

  models(): Observable<ModelsResponse> {
    return this.http.get<ModelsResponse>('/api/models');
  }

  /**
   * Uploads one file as multipart field `file`, reporting upload progress events. A server
   * that is handling as many uploads as it allows (503 `server_busy`) is asked again after its
   * Retry-After, a few times, before the error reaches the caller.
   */
  upload(file: File): Observable<HttpEvent<UploadAccepted>> {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.http
      .post<UploadAccepted>('/api/images', form, { reportProgress: true, observe: 'events' })
      .pipe(retry({ count: BUSY_RETRIES, delay: (error: unknown) => busyRetryDelay(error) }));
  }
}

/** Times an upload is tried again while the server says it is busy. */
export const BUSY_RETRIES = 5;

/** After a 503 `server_busy`: wait its Retry-After (1-30 s, plus up to 0.5 s of jitter); anything else fails at once. */
export function busyRetryDelay(error: unknown, random: () => number = Math.random): Observable<number> {
  if (!(error instanceof HttpErrorResponse) || error.status !== 503 || problemOf(error).code !== 'server_busy') {
    return throwError(() => error);
  }
  const seconds = Number(error.headers.get('Retry-After'));
  const wait = Number.isFinite(seconds) && seconds >= 1 ? Math.min(seconds, 30) : 1;
  return timer(wait * 1000 + Math.floor(random() * 500));
}
