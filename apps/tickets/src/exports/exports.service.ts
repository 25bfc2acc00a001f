import {
  StartTicketExportRequest,
  type RpcPayload,
  type TicketExportStatus,
  type TicketExportView,
} from '@helpdesk/contracts';
import { AppError, parseOrThrow, type FileStorage, type Logger } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Readable } from 'node:stream';
import QueryStream from 'pg-query-stream';
import { TicketPropertiesService } from '../pipelines/ticket-properties.service.js';
import type { TicketProperty } from '../tickets/ticket-properties.js';
import { withPooledConnection } from '../tickets/pooled-connection.js';
import { compileTicketList, type TicketListInput, type TicketListRow } from '../tickets/ticket-query.js';
import {
  EXPORTS_QUEUE,
  ExportInterrupted,
  exportStorageKey,
  type ExportsJobData,
  type ExportsJobName,
} from './export.js';
import { exportCsv, exportFields, exportFileName, type ExportLayout } from './export-format.js';
import { EXPORTS_OPTIONS, type ExportsModuleOptions } from './exports.options.js';
import { TicketExport, type TicketExportRequest } from './ticket-export.entity.js';

const HOUR_MS = 60 * 60 * 1000;
/**
 * Rows fetched from PostgreSQL at a time; each batch becomes one chunk of CSV text. Measured on the
 * 1M-row benchmark (bench/README.md): 500 is about as fast as 1,000 and keeps memory flat on a busy
 * machine, where batches of 1,000 (two alive at once, this one and the next) outlived V8's young
 * generation often enough to move ~14 MB per million rows into the old one (~2 MB with 500), which
 * only a full collection gives back.
 */
const BATCH_ROWS = 500;

/** pg-query-stream's cursor (pg-cursor): the next batch of rows, an empty one at the end. */
interface RowCursor {
  read(rows: number, callback: (error: Error | undefined, rows: TicketListRow[]) => void): void;
}

@Injectable()
export class ExportsService implements OnApplicationShutdown {
  readonly queue: Queue<ExportsJobData, unknown, ExportsJobName>;
  private readonly connection: Redis;
  private readonly logger: Logger;
  private readonly storage: FileStorage;

  constructor(
    @Inject(EXPORTS_OPTIONS) private readonly options: ExportsModuleOptions,
    private readonly em: EntityManager,
    private readonly properties: TicketPropertiesService,
  ) {
    this.logger = options.logger.child({ queue: EXPORTS_QUEUE });
    this.storage = options.storage;
    // A few retries, then an error: a start while Redis is away fails the caller instead of hanging it.
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
    this.queue = new Queue(EXPORTS_QUEUE, {
      connection: this.connection,
      prefix: options.queuePrefix,
      defaultJobOptions: {
        attempts: options.attempts ?? 3,
        backoff: { type: 'exponential', delay: options.backoffMs ?? 10_000 },
        removeOnComplete: { age: 24 * 60 * 60, count: 10_000 },
        // Failed jobs stay until someone looks at them: the dead-letter list for ops.
        removeOnFail: false,
      },
    });
    this.queue.on('error', (err) => this.logger.error({ err }, 'export queue error'));
  }

  /**
   * Queues an export of the viewer's current view. The view is checked here (the sort property, the
   * ids, the search), so a request the list would refuse is refused now rather than in the worker.
   */
  async start(request: RpcPayload<'tickets.exports.start'>): Promise<{ exportId: string; status: 'queued' }> {
    const { accountId, viewer } = request;
    const { definitions } = await this.properties.definitionsOf(accountId);
    compileTicketList(listInput(request, definitions));
    const now = new Date();
    const limit = this.options.maxInFlightPerContact ?? 3;
    const inFlight = await this.em.count(TicketExport, {
      accountId,
      contactId: viewer.contactId,
      status: { $in: ['queued', 'running'] },
      expiresAt: { $gt: now },
    });
    if (inFlight >= limit)
      throw new AppError(
        'TOO_MANY_ATTEMPTS',
        `At most ${limit} exports can be in progress at once; wait for one to finish`,
      );
    const entity = this.em.create(TicketExport, {
      accountId,
      contactId: viewer.contactId,
      request,
      createdAt: now,
      // An export that never runs goes too; a finished one gets a full TTL from when it finished.
      expiresAt: new Date(now.getTime() + this.options.ttlHours * HOUR_MS),
    });
    await this.em.flush();
    try {
      // The export's id is the job's id: the same export is never queued twice.
      await this.queue.add('export', { exportId: entity.id }, { jobId: entity.id });
    } catch (error) {
      this.logger.error({ err: error, exportId: entity.id }, 'could not queue an export');
      await this.em.nativeDelete(TicketExport, { id: entity.id });
      throw new AppError('SERVICE_UNAVAILABLE', 'Exports are not available right now; try again soon');
    }
    this.logger.info({ exportId: entity.id, accountId }, 'export queued');
    return { exportId: entity.id, status: 'queued' };
  }

  /** One export, for the contact who started it only; an expired one is gone. */
  async get({
    accountId,
    contactId,
    exportId,
  }: RpcPayload<'tickets.exports.get'>): Promise<TicketExportView> {
    const entity = await this.em.findOne(TicketExport, { id: exportId, accountId, contactId });
    if (!entity || entity.expiresAt.getTime() <= Date.now())
      throw new AppError('EXPORT_NOT_FOUND', `Export ${exportId} not found`);
    return toView(entity);
  }

  /**
   * Writes an export's file: every row of the stored view, streamed from PostgreSQL through the CSV
   * writer into the file storage, so memory stays flat however many rows there are. Runs once per
   * attempt and starts the file over each time (the file only appears once complete); an export
   * already done, failed or removed is left as it is.
   */
  async run(exportId: string, signal?: AbortSignal): Promise<{ rows: number }> {
    const entity = await this.em.findOne(TicketExport, { id: exportId });
    if (!entity || entity.status === 'done' || entity.status === 'failed') return { rows: entity?.rows ?? 0 };
    const started = Date.now();
    Object.assign(entity, { status: 'running', rows: 0, error: null, storageKey: null });
    await this.em.flush();

    // Read with today's contract: a row written by an older release still has to make sense.
    const request = parseOrThrow(
      StartTicketExportRequest,
      { ...entity.request, accountId: entity.accountId },
      'stored export request',
    );
    const { definitions, stageLabels } = await this.properties.definitionsOf(entity.accountId);
    const pipelines = definitions.find((definition) => definition.name === 'pipeline')?.options ?? [];
    const layout: ExportLayout = {
      columns: request.columns,
      showStages: request.showStages,
      language: request.language,
      ownerDisplay: request.ownerDisplay,
      stageLabels,
      pipelineLabels: new Map(pipelines.map((option) => [option.value, option.label])),
      definitions,
    };
    const { sql, params } = compileTicketList({
      ...listInput(request, definitions),
      fields: exportFields(layout),
    });
    const { head, line } = exportCsv(layout);

    const key = exportStorageKey(entity.accountId, entity.id);
    const every = this.options.progressEvery ?? 20_000;
    // The job's own context, held on to: the generator below resumes wherever the stream asks it to.
    const em = this.em.getContext();
    const progress = (count: number) =>
      em.nativeUpdate(TicketExport, { id: exportId, status: 'running' }, { rows: count });
    const rows = await withPooledConnection(this.em, async (connection) => {
      const stream = connection.query(new QueryStream(sql, params, { batchSize: BATCH_ROWS }));
      // The stream's cursor hands out whole batches: no promise, event or stream step per row.
      const cursor = stream.cursor as RowCursor;
      const read = () => {
        const batch = new Promise<TicketListRow[]>((resolve, reject) =>
          cursor.read(BATCH_ROWS, (error, batchRows) => (error ? reject(error) : resolve(batchRows))),
        );
        // Awaited later; until then a failure must not count as unhandled.
        batch.catch(() => {});
        return batch;
      };
      let count = 0;
      async function* csv(this: void) {
        yield head;
        let next: Promise<TicketListRow[]> | null = read();
        while (next) {
          const batch: TicketListRow[] = await next;
          if (signal?.aborted) throw new ExportInterrupted();
          // PostgreSQL sends the next batch while this one is written (a short batch was the last).
          next = batch.length === BATCH_ROWS ? read() : null;
          let text = '';
          for (const row of batch) {
            text += line(row);
            count += 1;
            if (count % every === 0) await progress(count);
          }
          if (text) yield text;
        }
      }
      try {
        // Bytes, not objects: any storage can take it; about one batch of text waits in the stream.
        await this.storage.write(key, Readable.from(csv(), { objectMode: false }));
        return count;
      } finally {
        // Stops the query if the write failed halfway, and waits until its cursor is closed, so the
        // connection goes back to the pool idle.
        if (!stream.destroyed) stream.destroy();
        if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
      }
    });

    const finishedAt = new Date();
    Object.assign(entity, {
      status: 'done',
      rows,
      storageKey: key,
      finishedAt,
      expiresAt: new Date(finishedAt.getTime() + this.options.ttlHours * HOUR_MS),
    });
    await this.em.flush();
    this.logger.info({ exportId, rows, ms: finishedAt.getTime() - started }, 'export done');
    return { rows };
  }

  /** After a failed attempt that will be retried: back to queued, rows from scratch. */
  async retrying(exportId: string): Promise<void> {
    await this.setStatus(exportId, 'queued', { rows: 0 });
  }

  /** After the last attempt failed: failed for good, with the reason. */
  async fail(exportId: string, reason: string): Promise<void> {
    await this.setStatus(exportId, 'failed', { error: reason.slice(0, 1_000), finishedAt: new Date() });
  }

  /**
   * Removes every expired export: its file first, then its row (so a file is never left without a
   * row pointing at it). An export still running is left alone unless it is a TTL past expiry
   * (its worker died and no final failure was recorded). Returns how many were removed.
   */
  async cleanup(now = new Date()): Promise<number> {
    const stuck = new Date(now.getTime() - this.options.ttlHours * HOUR_MS);
    const batchSize = 200;
    let removed = 0;
    for (;;) {
      const expired = await this.em.find(
        TicketExport,
        {
          expiresAt: { $lt: now },
          $or: [{ status: { $ne: 'running' } }, { expiresAt: { $lt: stuck } }],
        },
        { fields: ['id', 'accountId'], orderBy: { expiresAt: 'asc' }, limit: batchSize },
      );
      for (const { id, accountId } of expired) await this.storage.remove(exportStorageKey(accountId, id));
      if (expired.length) await this.em.nativeDelete(TicketExport, { id: { $in: expired.map((e) => e.id) } });
      this.em.clear();
      removed += expired.length;
      if (expired.length < batchSize) break;
    }
    if (removed) this.logger.info({ removed }, 'expired exports removed');
    return removed;
  }

  private async setStatus(
    exportId: string,
    status: TicketExportStatus,
    fields: Partial<Pick<TicketExport, 'rows' | 'error' | 'finishedAt'>>,
  ): Promise<void> {
    // A done export stays done: a late failure report (a stalled duplicate) never undoes it.
    await this.em.nativeUpdate(
      TicketExport,
      { id: exportId, status: { $ne: 'done' } },
      { status, storageKey: null, ...fields },
    );
  }

  // Runs after the worker has stopped (it closes in beforeApplicationShutdown), so no job is cut off.
  async onApplicationShutdown() {
    await this.queue.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

function listInput(
  request: Omit<TicketExportRequest, 'columns' | 'showStages' | 'language' | 'ownerDisplay'>,
  definitions: readonly TicketProperty[],
): TicketListInput {
  const { accountId, viewer, show, visibility, filters, search, sort } = request;
  return {
    accountId,
    scope: { ...viewer, show },
    visibility,
    filters,
    search,
    sort,
    // Everything in the view, in the list's order: no page size, no cursor.
    limit: null,
    definitions,
  };
}

function toView(entity: TicketExport): TicketExportView {
  const done = entity.status === 'done';
  return {
    id: entity.id,
    status: entity.status,
    rows: entity.rows,
    fileName: done ? exportFileName(entity.createdAt, entity.request.language) : null,
    storageKey: done ? entity.storageKey : null,
    createdAt: entity.createdAt.toISOString(),
    finishedAt: entity.finishedAt?.toISOString() ?? null,
    expiresAt: entity.expiresAt.toISOString(),
    error: entity.error,
  };
}
