import type { Routes } from '@angular/router';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'browse' },
  { path: 'browse', loadComponent: () => import('./browse/browse.component').then((m) => m.BrowseComponent) },
  { path: 'catalog', loadComponent: () => import('./catalog/catalog.component').then((m) => m.CatalogComponent) },
  { path: 'upload', loadComponent: () => import('./upload/upload.component').then((m) => m.UploadComponent) },
  { path: 'images/:id', loadComponent: () => import('./image/image-page.component').then((m) => m.ImagePageComponent) },
  { path: 'review', loadComponent: () => import('./review/review.component').then((m) => m.ReviewComponent) },
  { path: 'models', loadComponent: () => import('./models/models.component').then((m) => m.ModelsComponent) },
  { path: '**', loadComponent: () => import('./not-found/not-found.component').then((m) => m.NotFoundComponent) },
];
