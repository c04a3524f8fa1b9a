// One-shot schema migration for the distributed mode. Run by the Helm pre-install/pre-upgrade
// Job and by the compose "migrate" service, before any service starts:
//   node deploy/docker/migrate.js
// It reads the same VEGVISION_* environment as every service, then
//   - event store "postgres": opens PostgresEventStore, whose open() runs migrate()
//     (schema + tables, idempotent, under a PostgreSQL advisory lock);
//   - event store "kurrentdb": nothing to migrate (streams are created on first write);
//   - read model "postgres": createReadModel({ migrate: true }) applies the pending MikroORM
//     migrations (transactional, recorded in read_model_migrations);
//   - storage "s3": ensureBucket() creates the bucket when missing, unless
//     VEGVISION_MIGRATE_ENSURE_BUCKET=false (for credentials that may not create buckets).
// Kafka topics are not touched: the services create them on first use.
// Servers that are not reachable yet (a fresh install starts them alongside this Job) are
// waited for: the whole migration is retried every 5 s for VEGVISION_MIGRATE_WAIT_SECONDS
// (default 180); configuration errors fail at once.
// The services still call migrate() on start (idempotent); this Job makes schema changes happen
// once, before the new pods roll out, and fails the upgrade when they cannot be applied.
import { ConfigError, loadConfig } from '@vegvision/config';
import { createEventStore } from '@vegvision/event-store';
import { createReadModel } from '@vegvision/read-model';
import { createStorage } from '@vegvision/storage';

function log(message: string): void {
  process.stdout.write(`vegvision-migrate: ${message}\n`);
}

async function migrate(): Promise<void> {
  const config = loadConfig();
  if (config.mode !== 'distributed') {
    throw new ConfigError('VEGVISION_MODE must be "distributed" (the embedded mode migrates on start)');
  }

  if (config.eventStore.kind === 'postgres') {
    const store = await createEventStore(config.eventStore);
    await store.close();
    log(`event store: PostgreSQL schema "${config.eventStore.schema}" is up to date`);
  } else {
    log(`event store: ${config.eventStore.kind}, nothing to migrate`);
  }

  if (config.readModel.kind === 'postgres') {
    const readModel = await createReadModel({ ...config.readModel, migrate: true });
    await readModel.close();
    log(`read model: PostgreSQL schema "${config.readModel.schema}" is up to date`);
  }

  if (config.storage.kind === 's3') {
    if (process.env['VEGVISION_MIGRATE_ENSURE_BUCKET'] === 'false') {
      log(`storage: bucket "${config.storage.bucket}" not checked (VEGVISION_MIGRATE_ENSURE_BUCKET=false)`);
    } else {
      const storage = createStorage(config.storage);
      await storage.ensureBucket();
      await storage.close();
      log(`storage: bucket "${config.storage.bucket}" exists`);
    }
  }
}

async function main(): Promise<void> {
  const waitSeconds = Number(process.env['VEGVISION_MIGRATE_WAIT_SECONDS'] ?? 180);
  const deadline = Date.now() + (Number.isFinite(waitSeconds) && waitSeconds >= 0 ? waitSeconds : 180) * 1000;
  for (;;) {
    try {
      await migrate();
      return;
    } catch (error) {
      if (error instanceof ConfigError || Date.now() + 5000 > deadline) throw error;
      log(`not ready yet, retrying in 5 s: ${error instanceof Error ? error.message : String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

main().then(
  () => log('done'),
  (error: unknown) => {
    process.stderr.write(`vegvision-migrate: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
