import { envPort, loadConfig, ServiceEnv } from '@helpdesk/kit';
import { z } from 'zod';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const FormsEnv = ServiceEnv.extend({
  METRICS_PORT: envPort.default(9103),
  /**
   * Whether this replica runs the outbox relay. Off: it only accepts submissions (and serves the admin
   * subjects), and another replica with the relay on delivers them; a separate accepting tier and
   * delivering tier can so be scaled apart. At least one replica must have it on.
   */
  OUTBOX_RELAY: z.enum(['on', 'off']).default('on'),
  /** How often the outbox relay looks for due rows (it is also woken after every submission). */
  OUTBOX_POLL_MS: count(10, 60_000).default(1_000),
  /** Submissions delivered at once by one replica (each is a few requests to identity, tickets, inbox). */
  OUTBOX_BATCH_SIZE: count(1, 1_000).default(20),
  /** How long a replica holds a claimed submission; longer than a delivery may take (several RPC timeouts). */
  OUTBOX_LEASE_MS: count(1_000, 3_600_000).default(60_000),
  /** First retry delay of a failed delivery; doubles up to OUTBOX_BACKOFF_MAX_MS. */
  OUTBOX_BACKOFF_BASE_MS: count(1, 3_600_000).default(1_000),
  OUTBOX_BACKOFF_MAX_MS: count(1, 24 * 3_600_000).default(5 * 60_000),
  /** Delivered outbox rows are kept this long, then removed (the submissions themselves stay). */
  OUTBOX_RETENTION_HOURS: count(1, 24 * 365).default(72),
  /** From this many failed attempts on, a row is logged as an error and counted in outbox_failing_rows. */
  OUTBOX_FAILING_AFTER_ATTEMPTS: count(1, 1_000).default(5),
  /**
   * How long a replica reuses a form it read for submissions (0: read it every time). An admin's
   * change reaches the other replicas' submissions within this time.
   */
  FORM_CACHE_MS: count(0, 60_000).default(2_000),
  /**
   * Deliveries yield to accepting: while this replica accepts more submissions a second than this, a
   * delivery waits (at most OUTBOX_YIELD_MAX_MS). Accepted submissions are safe; their tickets come
   * once the burst is over. 0: never wait.
   */
  OUTBOX_YIELD_ABOVE_PER_SECOND: count(0, 1_000_000).default(200),
  OUTBOX_YIELD_MAX_MS: count(0, 60_000).default(2_000),
  /** PostgreSQL connections of one replica. */
  DATABASE_POOL_MAX: count(1, 200).default(10),
});
export type FormsConfig = z.output<typeof FormsEnv>;

export const loadFormsConfig = (env: Record<string, string | undefined> = process.env): FormsConfig =>
  loadConfig(FormsEnv, env);
