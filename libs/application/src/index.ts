// Application layer: command handlers, ingest, the worker roles and the composition root.
export * from './tokens';
export * from './logger';
export * from './metrics';
export * from './envelope';
export * from './image-commands';
export * from './ingest.service';
export * from './image-deletion.service';
export * from './original-locks';
export * from './orphan-sweeper';
export * from './file-name';
export * from './catalog.service';
export * from './rebuild.service';
export * from './classifier.provider';
export * from './workers';
export * from './vegvision.module';
export * from './relabel.service';
export * from './relabel-report';
