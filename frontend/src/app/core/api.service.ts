// HTTP access to the vegvision API (same origin; the dev server proxies /api).
import { HttpClient, HttpErrorResponse, HttpHeaders, HttpParams, type HttpEvent } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { retry, throwError, timer, type Observable } from 'rxjs';
import { problemOf } from './errors';
import type { BrowseResponse, CatalogPage, CorrectionRecorded, Facets, ImageDetail, ModelsResponse, PaletteName, UploadAccepted } from './api.types';

export interface BrowseParams {
  count: number;
  kind?: string | null;
  palette?: PaletteName | null;
  colour?: string | null;
  /** Which colour palette and colour filter: the whole photo (the API's default) or the vegetable's pixels. */
  measure?: 'photo' | 'subject' | null;
}

/** Filters of the catalog listing and facets (GET /api/catalog/images, /api/catalog/facets). */
export interface CatalogFilterParams {
  kind?: string | null;
  palette?: PaletteName | null;
  colour?: string | null;
  measure?: 'photo' | 'subject' | null;
  /** How the images came: people's uploads or the labelled catalog import. */
  source?: 'upload' | 'catalog' | null;
  review?: boolean;
}

export interface ListParams extends CatalogFilterParams {
  limit?: number;
  sort?: 'newest' | 'oldest' | 'confidence_asc' | 'confidence_desc';
  cursor?: string | null;
}

/** Query parameters of the filters; palette and measure go with a colour only (alone, a palette would keep just the images that have colours). */
function filterParams(f: CatalogFilterParams, p = new HttpParams()): HttpParams {
  if (f.kind) p = p.set('kind', f.kind);
  if (f.colour && f.palette) {
    p = p.set('palette', f.palette).set('colour', f.colour);
    if (f.measure) p = p.set('measure', f.measure);
  }
  if (f.source) p = p.set('source', f.source);
  if (f.review) p = p.set('review', 'true');
  return p;
}

@Injectable({ providedIn: 'root' })
export class ApiService {
  private readonly http = inject(HttpClient);

  browse(params: BrowseParams): Observable<BrowseResponse> {
    let p = new HttpParams().set('count', params.count);
    if (params.kind) p = p.set('kind', params.kind);
    if (params.colour && params.palette) {
      p = p.set('palette', params.palette).set('colour', params.colour);
      if (params.measure) p = p.set('measure', params.measure);
    }
    return this.http.get<BrowseResponse>('/api/images', { params: p });
  }

  /** Counts per kind and colour, each under the other filters (none: the whole catalog). */
  facets(filters: CatalogFilterParams = {}): Observable<Facets> {
    return this.http.get<Facets>('/api/catalog/facets', { params: filterParams(filters) });
  }

  /** One page of the catalog listing, in a stable order (pass the previous page's nextCursor for the next). */
  list(params: ListParams): Observable<CatalogPage> {
    let p = filterParams(params);
    if (params.limit) p = p.set('limit', params.limit);
    if (params.sort) p = p.set('sort', params.sort);
    if (params.cursor) p = p.set('cursor', params.cursor);
    return this.http.get<CatalogPage>('/api/catalog/images', { params: p });
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
