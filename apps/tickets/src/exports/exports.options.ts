import type { FileStorage, Logger } from '@helpdesk/kit';

export interface ExportsModuleOptions {
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one per run. */
  queuePrefix: string;
  /** Where finished files go (the gateway reads them from the same place). */
  storage: FileStorage;
  /** How long a finished export stays downloadable. */
  ttlHours: number;
  logger: Logger;
  /** Tries per export, the first included (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubling on each further retry (default 10 000). */
  backoffMs?: number;
  /** Exports written in parallel by one process (default 2). */
  concurrency?: number;
  /** A running export's lock, renewed every half of it (default 30 000, BullMQ's). */
  lockMs?: number;
  /** How often a worker requeues exports whose lock ran out, their worker dead (default 30 000, BullMQ's). */
  stalledCheckMs?: number;
  /**
   * `rows` is updated after every this many rows (default 20 000: about ten updates a second at the
   * measured 200 000+ rows/s; each is a statement and an ORM call, so not every few thousand rows).
   */
  progressEvery?: number;
  /** Exports one contact may have queued or running at once (default 3). */
  maxInFlightPerContact?: number;
  /** How often expired exports are removed (default hourly). */
  cleanupEveryMs?: number;
}

export const EXPORTS_OPTIONS = Symbol('EXPORTS_OPTIONS');
