import { AppError, type Logger } from '@helpdesk/kit';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import {
  EXPORTS_QUEUE,
  ExportInterrupted,
  type ExportJobData,
  type ExportsJobData,
  type ExportsJobName,
} from './export.js';
import { EXPORTS_OPTIONS, type ExportsModuleOptions } from './exports.options.js';
import { ExportsService } from './exports.service.js';

type ExportsJob = Job<ExportsJobData, unknown, ExportsJobName>;

/**
 * The `tickets.exports` worker: a thin adapter from a job to `ExportsService.run` (or `cleanup`),
 * each job in a fresh ORM context. It records the final failure on the export, and on shutdown hands
 * an export in progress back to the queue for another replica instead of holding the process up.
 */
@Injectable()
export class ExportJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker?: Worker<ExportsJobData, unknown, ExportsJobName>;
  private connection?: Redis;
  private readonly logger: Logger;
  private readonly stopping = new AbortController();
  private scheduleRetry?: NodeJS.Timeout;

  constructor(
    @Inject(EXPORTS_OPTIONS) private readonly options: ExportsModuleOptions,
    private readonly exports: ExportsService,
    private readonly orm: MikroORM,
  ) {
    this.logger = options.logger.child({ queue: EXPORTS_QUEUE });
  }

  onApplicationBootstrap() {
    // A worker's own connection must retry forever (maxRetriesPerRequest: null) or BullMQ refuses it.
    this.connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    this.worker = new Worker(EXPORTS_QUEUE, (job, token) => this.process(job, token), {
      connection: this.connection,
      prefix: this.options.queuePrefix,
      concurrency: this.options.concurrency ?? 2,
      lockDuration: this.options.lockMs ?? 30_000,
      stalledInterval: this.options.stalledCheckMs ?? 30_000,
    });
    this.worker.on('failed', (job, err) => {
      const final = !job || err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      const fields = { jobId: job?.id, kind: job?.name, attemptsMade: job?.attemptsMade, err };
      if (final) this.logger.error(fields, 'export failed for good; kept in the failed set');
      else this.logger.warn(fields, 'export attempt failed; will retry');
    });
    this.worker.on('error', (err) => this.logger.error({ err }, 'export worker error'));
    // Not awaited: the service answers requests while Redis is away; the schedule is set once it is back.
    void this.scheduleCleanup();
  }

  /** The hourly cleanup: one scheduler for all replicas (the same id upserts the same schedule). */
  private async scheduleCleanup(): Promise<void> {
    try {
      await this.exports.queue.upsertJobScheduler(
        'cleanup',
        { every: this.options.cleanupEveryMs ?? 60 * 60 * 1000 },
        { name: 'cleanup', data: {}, opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 } },
      );
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      this.logger.warn({ err }, 'could not schedule the export cleanup; trying again in a minute');
      this.scheduleRetry = setTimeout(() => void this.scheduleCleanup(), 60_000);
      this.scheduleRetry.unref();
    }
  }

  private process(job: ExportsJob, token?: string): Promise<unknown> {
    return RequestContext.create(this.orm.em, async () => {
      if (job.name === 'cleanup') return { removed: await this.exports.cleanup() };
      const { exportId } = job.data as ExportJobData;
      try {
        return await this.exports.run(exportId, this.stopping.signal);
      } catch (error) {
        if (error instanceof ExportInterrupted) {
          // Back to the queue at once, without spending an attempt: another replica starts it over.
          await this.exports.retrying(exportId);
          await job.moveToDelayed(Date.now(), token);
          throw new DelayedError();
        }
        const message = error instanceof Error ? error.message : String(error);
        // An AppError (a stored view that no longer compiles, say) fails the same way every time.
        const permanent = error instanceof AppError;
        if (permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1))
          await this.exports.fail(exportId, message);
        else await this.exports.retrying(exportId);
        throw permanent ? new UnrecoverableError(message) : error;
      }
    });
  }

  // Before the service's onApplicationShutdown closes the queue: exports in progress stop at the next
  // row and go back to the queue, so a long export never holds up a deploy.
  async beforeApplicationShutdown() {
    this.stopping.abort();
    clearTimeout(this.scheduleRetry);
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
