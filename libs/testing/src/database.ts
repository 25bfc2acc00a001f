import pg from 'pg';

const serverUrl = () => process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Gives a test run its own database, created if missing and emptied of every schema the services
 * made, so runs never see each other's rows and never touch the demo database.
 */
export async function freshTestDatabase(name: string): Promise<string> {
  if (!/^[a-z][a-z0-9_]*_test(_[a-z0-9_]+)?$/.test(name))
    throw new Error(`refusing to use "${name}" as a test database`);
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    const schemas = await db.query<{ nspname: string }>(
      `select nspname from pg_namespace
        where nspname not like 'pg\\_%' and nspname not in ('information_schema', 'public')`,
    );
    for (const { nspname } of schemas.rows) await db.query(`drop schema "${nspname}" cascade`);
  } finally {
    await db.end();
  }
  return url.toString();
}

/** A throwaway connection for tests that check rows directly. */
export async function withDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
