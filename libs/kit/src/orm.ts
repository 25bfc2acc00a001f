import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';

export interface ServiceOrmOptions {
  /** The service's own PostgreSQL schema; no other service reads it. */
  schema: string;
  clientUrl: string;
  entities: Constructor<object>[];
  /** Checked-in migrations, oldest first (listed, not globbed, so tests and builds load the same ones). */
  migrations: Constructor<Migration>[];
  /** Where `migrate create` writes new migration files. */
  migrationsPath: string;
  poolMax?: number;
}

export function serviceOrmConfig(options: ServiceOrmOptions): Options {
  return defineConfig({
    clientUrl: options.clientUrl,
    schema: options.schema,
    entities: options.entities,
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: options.migrations.map((migration) => ({ name: migration.name, class: migration })),
      pathTs: options.migrationsPath,
      path: options.migrationsPath,
      emit: 'ts',
      silent: true,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: { min: 0, max: options.poolMax ?? 10 },
    allowGlobalContext: false,
    debug: false,
  });
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(config: Options): Promise<string[]> {
  const orm = await MikroORM.init(config);
  try {
    await orm.em.getConnection().execute(`create schema if not exists "${config.schema}"`);
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}

/**
 * `migrate` applies pending migrations; `migrate create` writes a new migration for the difference
 * between the entities and the database (add it to the service's migrations list afterwards).
 */
export async function runMigrationCli(config: Options, argv: string[]): Promise<void> {
  if (argv[0] === 'create') {
    await createMigration(config, argv[1] === '--initial');
    return;
  }
  const applied = await migrateUp(config);
  console.log(`${config.schema}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
}

/**
 * Diffs the entities against a scratch database holding only this service's migrated schema: the
 * schema diff would otherwise see the other services' schemas and generate drops for them.
 */
async function createMigration(config: Options, initial: boolean): Promise<void> {
  const scratchUrl = new URL(config.clientUrl!);
  const scratchName = `${scratchUrl.pathname.slice(1)}_migration_${config.schema}`;
  const admin = await MikroORM.init({ ...config, entities: [], discovery: { warnWhenNoEntities: false } });
  const recreate = async () => {
    await admin.em.getConnection().execute(`drop database if exists "${scratchName}"`);
    await admin.em.getConnection().execute(`create database "${scratchName}"`);
  };
  try {
    await recreate();
    scratchUrl.pathname = `/${scratchName}`;
    const scratch = { ...config, clientUrl: scratchUrl.toString() };
    await migrateUp(scratch);
    const orm = await MikroORM.init(scratch);
    try {
      const result = await orm.getMigrator().createMigration(undefined, false, initial);
      console.log(result.fileName ? `created ${result.fileName}` : 'no changes');
    } finally {
      await orm.close(true);
    }
  } finally {
    await admin.em.getConnection().execute(`drop database if exists "${scratchName}"`);
    await admin.close(true);
  }
}
