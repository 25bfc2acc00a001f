import type { EntityManager } from '@mikro-orm/postgresql';
import type QueryStream from 'pg-query-stream';

/** A raw `pg` client of the ORM's pool: `$n` placeholders as written, and streams. */
export interface PooledConnection {
  query<T>(sql: string, params: unknown[]): Promise<{ rows: T[] }>;
  query(stream: QueryStream): QueryStream;
}

interface PooledClient {
  acquireConnection(): Promise<PooledConnection>;
  releaseConnection(connection: unknown): Promise<void>;
}

/**
 * Lends a connection of the ORM's pool for SQL the ORM should not rewrite (knex.raw would read the `?`
 * and `:name` in compiled SQL as its own bindings), and gives it back however the work ends.
 */
export async function withPooledConnection<T>(
  em: EntityManager,
  work: (connection: PooledConnection) => Promise<T>,
): Promise<T> {
  const client = (em.getConnection().getKnex() as unknown as { client: PooledClient }).client;
  const connection = await client.acquireConnection();
  try {
    return await work(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}
