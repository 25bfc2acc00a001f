import { EntitySchema, OptionalProps, type Constructor } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/**
 * The transactional outbox (docs/adr/0002): work that must happen after a commit (tell another
 * service, queue an email) is written as a row in the same transaction as the data it belongs to,
 * and `OutboxRelay` delivers it until a handler succeeds. This file is the table's shape; each
 * service declares its own outbox entity with it, in its own schema, and migrates it like any other.
 */
/**
 * The columns of an outbox row. A service declares its outbox as a class of its own,
 * `export class InboxOutbox extends OutboxRecord {}`, and maps it with `defineOutbox`.
 */
export class OutboxRecord {
  [OptionalProps]?: 'createdAt' | 'nextAttemptAt' | 'attempts' | 'lastError' | 'deliveredAt' | 'claimToken';

  id: string;
  accountId: string;
  /** Which handler delivers it (`tickets.record`, `notify`, …). */
  kind: string;
  /** What the handler needs: plain JSON, ids and the few fields the receiver wants. */
  payload: Record<string, unknown>;
  /** Both default to the database's clock, which the relay compares with: no skew between app and DB. */
  createdAt: Date;
  /** When the row may next be tried; a claim pushes it forward by the lease, a failure by the backoff. */
  nextAttemptAt: Date;
  /** Deliveries started so far (a claim counts one). */
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
  /** Set by the relay that holds the row, so a replica whose lease ran out cannot overwrite the next one's result. */
  claimToken: string | null;
}

export interface OutboxTableOptions {
  /** The service's PostgreSQL schema (the index DDL names it). */
  schema: string;
  tableName?: string;
}

/** How the relay finds a service's outbox. */
export interface OutboxDefinition {
  entity: Constructor<OutboxRecord>;
  /** Quoted and schema-qualified, e.g. `"inbox"."outbox"`. */
  table: string;
  /** The schema, used as the `outbox` label of the relay's metrics and logs. */
  name: string;
}

/**
 * Maps a service's outbox class to its table: list the class in the service's ORM entities, create
 * the migration with `migrate create`, hand the definition to `OutboxRelay`.
 */
export function defineOutbox(
  entity: Constructor<OutboxRecord>,
  { schema, tableName = 'outbox' }: OutboxTableOptions,
): OutboxDefinition {
  const table = `"${schema}"."${tableName}"`;
  new EntitySchema<OutboxRecord>({
    class: entity,
    tableName,
    properties: {
      id: { type: 'uuid', primary: true },
      accountId: { type: 'uuid' },
      kind: { type: 'string', length: 100 },
      payload: { type: 'json' },
      createdAt: { type: 'datetime', length: 3, defaultRaw: 'now()' },
      nextAttemptAt: { type: 'datetime', length: 3, defaultRaw: 'now()' },
      attempts: { type: 'integer', default: 0 },
      lastError: { type: 'text', nullable: true },
      deliveredAt: { type: 'datetime', length: 3, nullable: true },
      claimToken: { type: 'uuid', nullable: true },
    },
    indexes: [
      // What the relay claims: only pending rows, oldest due first. Stays small however many are delivered.
      {
        name: `${tableName}_pending_index`,
        expression: `create index "${tableName}_pending_index" on ${table} ("next_attempt_at", "id") where "delivered_at" is null`,
      },
      // What the cleanup removes.
      {
        name: `${tableName}_delivered_index`,
        expression: `create index "${tableName}_delivered_index" on ${table} ("delivered_at") where "delivered_at" is not null`,
      },
    ],
  });
  return { entity, table, name: schema };
}

/** A new outbox row, for `em.create(InboxOutbox, outboxRow(...))` before the transaction's flush. */
export function outboxRow(
  accountId: string,
  kind: string,
  payload: Record<string, unknown>,
): Pick<OutboxRecord, 'id' | 'accountId' | 'kind' | 'payload'> {
  return { id: randomUUID(), accountId, kind, payload };
}

export interface BackoffOptions {
  /** The delay after the first failure. */
  baseMs: number;
  /** No delay is longer than this, however many attempts failed. */
  maxMs: number;
}

/**
 * How long to wait after the `attempts`-th failed delivery: doubling from `baseMs`, capped at
 * `maxMs`, with "equal jitter" (between half and all of it) so replicas that failed together do not
 * retry together. `random` is injectable for tests.
 */
export function outboxRetryDelayMs(
  attempts: number,
  { baseMs, maxMs }: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.floor(attempts) - 1);
  // 2 ** 1100 is Infinity, which the cap absorbs: no overflow however long a row keeps failing.
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  const half = ceiling / 2;
  return Math.round(half + half * Math.min(1, Math.max(0, random())));
}
