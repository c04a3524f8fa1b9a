// HTTP access to the vegvision API (same origin; the dev server proxies /api).
import { HttpClient, HttpParams, type HttpEvent } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { BrowseResponse, Facets, ImageDetail, ModelsResponse, PaletteName, UploadAccepted } from './api.types';

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

  models(): Observable<ModelsResponse> {
    return this.http.get<ModelsResponse>('/api/models');
  }

  /** Uploads one file as multipart field `file`, reporting upload progress events. */
  upload(file: File): Observable<HttpEvent<UploadAccepted>> {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.http.post<UploadAccepted>('/api/images', form, { reportProgress: true, observe: 'events' });
  }
}
