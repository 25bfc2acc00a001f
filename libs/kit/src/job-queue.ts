import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from './logging.js';

export interface JobQueueConnection {
  redisUrl: string;
  /** BullMQ's key prefix: keeps tests' and deployments' queues apart. */
  prefix?: string;
  logger: Logger;
}

export interface JobQueueOptions extends JobQueueConnection {
  /** Attempts per job (default 6), the first retry after `backoffMs` (default 2 s), doubling. */
  attempts?: number;
  backoffMs?: number;
  /** How long a completed job stays findable by its id (default a day). */
  keepCompletedSeconds?: number;
}

/**
 * A BullMQ queue with the house rules: retries with exponential backoff, and failed jobs kept until
 * someone looks at them (the dead-letter list ops see in the queue dashboard).
 */
export function openJobQueue<Data, Result, Name extends string>(
  name: string,
  options: JobQueueOptions,
): { queue: Queue<Data, Result, Name>; close: () => Promise<void> } {
  // A few retries, then an error: adding a job while Redis is away fails the caller instead of hanging it.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
  const queue = new Queue<Data, Result, Name>(name, {
    connection,
    prefix: options.prefix,
    defaultJobOptions: {
      attempts: options.attempts ?? 6,
      backoff: { type: 'exponential', delay: options.backoffMs ?? 2_000 },
      removeOnComplete: { age: options.keepCompletedSeconds ?? 24 * 60 * 60 },
      removeOnFail: false,
    },
  });
  queue.on('error', (err) => options.logger.error({ err, queue: name }, 'queue error'));
  return {
    queue,
    close: async () => {
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/**
 * A worker for the named queue on a connection of its own. Each failed attempt is logged as a
 * warning, the last one (or an `UnrecoverableError`) as an error: the job then stays in the failed set.
 */
export function startJobWorker<Data, Result, Name extends string>(
  name: string,
  process: (job: Job<Data, Result, Name>, token?: string) => Promise<Result>,
  options: JobQueueConnection & { concurrency: number; what: string },
): { worker: Worker<Data, Result, Name>; close: () => Promise<void> } {
  const logger = options.logger.child({ queue: name });
  // A worker's connection must retry forever (maxRetriesPerRequest: null) or BullMQ refuses it.
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const worker = new Worker<Data, Result, Name>(name, process, {
    connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
  });
  worker.on('failed', (job, err) => {
    const final = !job || err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    const fields = { jobId: job?.id, kind: job?.name, attemptsMade: job?.attemptsMade, err };
    if (final) logger.error(fields, `${options.what} failed for good; kept in the failed set`);
    else logger.warn(fields, `${options.what} attempt failed; will retry`);
  });
  worker.on('error', (err) => logger.error({ err }, `${options.what} worker error`));
  return {
    worker,
    close: async () => {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
