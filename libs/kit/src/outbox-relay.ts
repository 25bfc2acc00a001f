import type { MikroORM } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from './logging.js';
import { outboxRetryDelayMs, type BackoffOptions, type OutboxDefinition } from './outbox.js';

/** One row being delivered, as a handler sees it. */
export interface OutboxDelivery {
  id: string;
  accountId: string;
  kind: string;
  payload: Record<string, unknown>;
  /** This delivery included (1 on the first try). */
  attempts: number;
  createdAt: Date;
}

/**
 * Delivers one kind of row. Resolving marks the row delivered; throwing schedules a retry. Handlers
 * must be idempotent (a delivery whose acknowledgement was lost is made again) and should give up
 * within the lease (an RPC timeout well under `leaseMs`).
 */
export type OutboxHandler = (delivery: OutboxDelivery) => Promise<unknown>;

export interface OutboxRelayOptions {
  outbox: OutboxDefinition;
  /** By row kind. A row of a kind with no handler fails (and is retried: a newer replica may know it). */
  handlers: Record<string, OutboxHandler>;
  logger: Logger;
  /** Where the relay's counters and gauges go (the service's registry). */
  registry?: Registry;
  /** How often to look for due rows when nobody called `wake()` (default 1 000). */
  pollMs?: number;
  /** Rows claimed (and delivered in parallel) at once (default 20). */
  batchSize?: number;
  /** How long a claim keeps other replicas off a row; longer than any handler may take (default 60 000). */
  leaseMs?: number;
  /** Retry delays (default 1 s doubling to 5 min). */
  backoff?: BackoffOptions;
  /** How long delivered rows are kept (default 3 days). */
  retentionMs?: number;
  /** How often delivered rows past the retention are removed (default hourly). */
  cleanupEveryMs?: number;
  /** From this many failed attempts on, a row counts as failing: logged as an error and counted in a gauge (default 5). */
  failingAfterAttempts?: number;
  /** How often the pending/failing gauges are refreshed (default 15 000). */
  statsEveryMs?: number;
}

interface ClaimedRow {
  id: string;
  account_id: string;
  kind: string;
  payload: Record<string, unknown> | string;
  attempts: number;
  created_at: Date | string;
}

export interface OutboxStats {
  pending: number;
  failing: number;
  oldestPendingSeconds: number;
}

const counter = (registry: Registry) =>
  (registry.getSingleMetric('outbox_deliveries_total') as Counter<'outbox' | 'kind' | 'outcome'>) ??
  new Counter({
    name: 'outbox_deliveries_total',
    help: 'Outbox deliveries attempted, by outcome (delivered, failed)',
    labelNames: ['outbox', 'kind', 'outcome'],
    registers: [registry],
  });

const gauge = (registry: Registry, name: string, help: string) =>
  (registry.getSingleMetric(name) as Gauge<'outbox'>) ??
  new Gauge({ name, help, labelNames: ['outbox'], registers: [registry] });

/**
 * The relay half of the transactional outbox (docs/adr/0002): claims due rows with
 * `FOR UPDATE SKIP LOCKED` (so any number of replicas share the work and no row is handled by two at
 * once), hands each to its kind's handler, marks it delivered only when the handler succeeds, and
 * otherwise retries it with capped exponential backoff, forever: a row that keeps failing stays
 * visible (an error log line per attempt, `outbox_failing_rows`) until someone fixes the cause.
 *
 * A claim is a lease, not an open transaction: the row's `next_attempt_at` moves `leaseMs` ahead and
 * the claim commits at once, so no connection is held while a handler waits on the network. If the
 * process dies mid-delivery, the lease runs out and another replica tries again (at-least-once).
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly backoff: BackoffOptions;
  private readonly retentionMs: number;
  private readonly failingAfterAttempts: number;
  private readonly deliveries?: Counter<'outbox' | 'kind' | 'outcome'>;
  private readonly gauges?: Record<keyof OutboxStats, Gauge<'outbox'>>;
  private stopped = true;
  private running?: Promise<void>;
  private wakeRequested = false;
  private timer?: NodeJS.Timeout;
  private housekeeping: NodeJS.Timeout[] = [];

  constructor(
    private readonly orm: MikroORM,
    private readonly options: OutboxRelayOptions,
  ) {
    this.logger = options.logger.child({ outbox: options.outbox.name });
    this.pollMs = options.pollMs ?? 1_000;
    this.batchSize = options.batchSize ?? 20;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.backoff = options.backoff ?? { baseMs: 1_000, maxMs: 5 * 60_000 };
    this.retentionMs = options.retentionMs ?? 3 * 24 * 3_600_000;
    this.failingAfterAttempts = options.failingAfterAttempts ?? 5;
    if (options.registry) {
      this.deliveries = counter(options.registry);
      this.gauges = {
        pending: gauge(options.registry, 'outbox_pending_rows', 'Outbox rows not delivered yet'),
        failing: gauge(
          options.registry,
          'outbox_failing_rows',
          'Outbox rows not delivered after the failing threshold of attempts',
        ),
        oldestPendingSeconds: gauge(
          options.registry,
          'outbox_oldest_pending_seconds',
          'Age of the oldest outbox row not delivered yet',
        ),
      };
    }
  }

  /** Starts polling, the cleanup and the gauges. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
    const every = (ms: number, work: () => Promise<unknown>, what: string) => {
      const timer = setInterval(() => {
        work().catch((err: unknown) => this.logger.warn({ err }, `outbox ${what} failed`));
      }, ms);
      timer.unref();
      this.housekeeping.push(timer);
    };
    every(this.options.cleanupEveryMs ?? 3_600_000, () => this.cleanup(), 'cleanup');
    every(this.options.statsEveryMs ?? 15_000, () => this.stats(), 'statistics');
  }

  /** Looks for due rows now rather than at the next poll (call it after committing a row). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.wakeRequested = true;
    else this.schedule(0);
  }

  /** Stops claiming; resolves once the deliveries in progress have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const timer of this.housekeeping) clearInterval(timer);
    this.housekeeping = [];
    await this.running;
  }

  /** Claims one batch of due rows and delivers them; returns how many it claimed. */
  async runOnce(): Promise<number> {
    const claimToken = randomUUID();
    const rows = await this.execute<ClaimedRow>(
      `with due as (
         select id from ${this.table}
          where delivered_at is null and next_attempt_at <= now()
          order by next_attempt_at, id
          limit ?
          for update skip locked)
       update ${this.table} o
          set claim_token = ?, attempts = o.attempts + 1,
              next_attempt_at = now() + ? * interval '1 millisecond'
         from due
        where o.id = due.id
       returning o.id, o.account_id, o.kind, o.payload, o.attempts, o.created_at`,
      [this.batchSize, claimToken, this.leaseMs],
    );
    await Promise.all(rows.map((row) => this.deliver(row, claimToken)));
    return rows.length;
  }

  /** Removes delivered rows older than the retention period; returns how many. */
  async cleanup(): Promise<number> {
    let removed = 0;
    for (;;) {
      const rows = await this.execute<{ id: string }>(
        `delete from ${this.table} where id in (
           select id from ${this.table}
            where delivered_at is not null and delivered_at < now() - ? * interval '1 millisecond'
            limit 1000)
         returning id`,
        [this.retentionMs],
      );
      removed += rows.length;
      if (rows.length < 1000) break;
    }
    if (removed) this.logger.info({ removed }, 'outbox cleanup removed delivered rows');
    return removed;
  }

  /** Rows waiting, rows failing, and how long the oldest has waited; also sets the gauges. */
  async stats(): Promise<OutboxStats> {
    const [row] = await this.execute<{ pending: string; failing: string; oldest: string | null }>(
      `select count(*) as pending, count(*) filter (where attempts >= ?) as failing,
              extract(epoch from now() - min(created_at)) as oldest
         from ${this.table} where delivered_at is null`,
      [this.failingAfterAttempts],
    );
    const stats = {
      pending: Number(row?.pending ?? 0),
      failing: Number(row?.failing ?? 0),
      oldestPendingSeconds: Number(row?.oldest ?? 0),
    };
    if (this.gauges)
      for (const key of Object.keys(stats) as (keyof OutboxStats)[])
        this.gauges[key].set({ outbox: this.options.outbox.name }, stats[key]);
    return stats;
  }

  private get table() {
    return this.options.outbox.table;
  }

  private async deliver(row: ClaimedRow, claimToken: string): Promise<void> {
    const delivery: OutboxDelivery = {
      id: row.id,
      accountId: row.account_id,
      kind: row.kind,
      payload:
        typeof row.payload === 'string' ? (JSON.parse(row.payload) as Record<string, unknown>) : row.payload,
      attempts: row.attempts,
      createdAt: new Date(row.created_at),
    };
    const fields = { outboxId: row.id, kind: row.kind, attempts: row.attempts };
    try {
      const handler = this.options.handlers[row.kind];
      if (!handler) throw new Error(`no outbox handler for kind "${row.kind}"`);
      await handler(delivery);
    } catch (err) {
      this.deliveries?.inc({ outbox: this.options.outbox.name, kind: row.kind, outcome: 'failed' });
      const delayMs = outboxRetryDelayMs(row.attempts, this.backoff);
      const message = err instanceof Error ? err.message : String(err);
      await this.execute(
        `update ${this.table}
            set next_attempt_at = now() + ? * interval '1 millisecond', last_error = ?, claim_token = null
          where id = ? and claim_token = ? and delivered_at is null`,
        [delayMs, message.slice(0, 2_000), row.id, claimToken],
      ).catch((error: unknown) =>
        this.logger.warn({ ...fields, err: error }, 'could not record a failed delivery'),
      );
      if (row.attempts >= this.failingAfterAttempts)
        this.logger.error({ ...fields, err, retryInMs: delayMs }, 'outbox row keeps failing');
      else this.logger.warn({ ...fields, err, retryInMs: delayMs }, 'outbox delivery failed; will retry');
      return;
    }
    this.deliveries?.inc({ outbox: this.options.outbox.name, kind: row.kind, outcome: 'delivered' });
    try {
      await this.execute(
        `update ${this.table} set delivered_at = now(), claim_token = null, last_error = null
          where id = ? and claim_token = ?`,
        [row.id, claimToken],
      );
    } catch (err) {
      // Delivered but not marked: the lease runs out and it is delivered again, which handlers allow.
      this.logger.warn(
        { ...fields, err },
        'delivered, but could not mark the outbox row; it will be sent again',
      );
    }
  }

  private schedule(ms: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.running) return;
    let claimed = 0;
    this.running = (async () => {
      try {
        claimed = await this.runOnce();
      } catch (err) {
        this.logger.warn({ err }, 'outbox relay could not claim rows; trying again');
      }
    })();
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    // A full batch probably left more behind; a wake during the batch asked for another look.
    const again = claimed === this.batchSize || this.wakeRequested;
    this.wakeRequested = false;
    this.schedule(again ? 0 : this.pollMs);
  }

  private execute<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.orm.em.fork().getConnection().execute<T[]>(sql, params, 'all');
  }
}
