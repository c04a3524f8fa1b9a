// Every migration of the read model, oldest first. Listed explicitly (no file globbing), so
// the same list works from TypeScript sources, compiled JavaScript and bundles.
// To change the schema: add a new class (never edit a released one) and append it here.
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20250601000000Initial } from './Migration20250601000000Initial';
import { Migration20260301000000Corrections } from './Migration20260301000000Corrections';
import { Migration20260303000000SubjectColour } from './Migration20260303000000SubjectColour';
import { Migration20261202000000CatalogListing } from './Migration20261202000000CatalogListing';
import { Migration20261207000000ReadPath } from './Migration20261207000000ReadPath';
import { Migration20261207180000SampleDraw } from './Migration20261207180000SampleDraw';

export const READ_MODEL_MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20250601000000Initial', class: Migration20250601000000Initial },
  { name: 'Migration20260301000000Corrections', class: Migration20260301000000Corrections },
  { name: 'Migration20260303000000SubjectColour', class: Migration20260303000000SubjectColour },
  { name: 'Migration20261202000000CatalogListing', class: Migration20261202000000CatalogListing },
  { name: 'Migration20261207000000ReadPath', class: Migration20261207000000ReadPath },
  { name: 'Migration20261207180000SampleDraw', class: Migration20261207180000SampleDraw },
];
