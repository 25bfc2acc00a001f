import { JobQueues } from '@helpdesk/contracts';

/** CSV exports of the portal's list (SPEC P4), written by the worker of this queue. */
export const EXPORTS_QUEUE = JobQueues.ticketExports;

/** `export` writes one export's file; `cleanup` (repeating) removes expired exports. */
export type ExportsJobName = 'export' | 'cleanup';

/** Job data is ids only: the export's row holds the view it exports. */
export interface ExportJobData {
  exportId: string;
}
export type ExportsJobData = ExportJobData | Record<string, never>;

/** Where an export's file lives in the file storage. */
export const exportStorageKey = (accountId: string, exportId: string) =>
  `exports/${accountId}/${exportId}.csv`;

/** The error of an export stopped because its process is shutting down; another worker takes it over. */
export class ExportInterrupted extends Error {
  constructor() {
    super('The export was interrupted by a shutdown');
    this.name = 'ExportInterrupted';
  }
}
