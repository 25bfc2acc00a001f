import type { ProcessName } from './system.js';

/** One kind of request the load sends, and the services it cannot be answered without. */
export interface LoadKind {
  name: string;
  needs: ProcessName[];
  send(signal: AbortSignal): Promise<Response>;
  /** Keep a successful answer's body in the result (small answers only, e.g. a submission's id). */
  keepBody?: boolean;
}

/** What happened to one request. Status 0: no answer (a network error, or no answer within the hang limit). */
export interface LoadResult {
  kind: string;
  needs: ProcessName[];
  status: number;
  retryAfter: string | null;
  startedAt: number;
  finishedAt: number;
  ms: number;
  error?: string;
  body?: string;
}

/**
 * A small closed loop of requests over HTTP: `concurrency` callers, each sending the next kind in
 * turn as soon as its last request was answered, until stopped. Every answer is recorded with its
 * status and latency; a request without an answer within `hangAfterMs` is cut off and recorded as 0.
 */
export class Load {
  readonly results: LoadResult[] = [];
  private running = true;
  private sent = 0;
  private readonly callers: Promise<void>[];

  constructor(
    private readonly kinds: LoadKind[],
    { concurrency = 8, hangAfterMs }: { concurrency?: number; hangAfterMs: number },
  ) {
    this.callers = Array.from({ length: concurrency }, () => this.caller(hangAfterMs));
  }

  /** Waits until at least this many requests have been answered since the load started. */
  async untilAnswered(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.results.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.results.length} of ${count} answered`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops sending; resolves with every result once the requests in flight are answered. */
  async stop(): Promise<LoadResult[]> {
    this.running = false;
    await Promise.all(this.callers);
    return this.results;
  }

  private async caller(hangAfterMs: number): Promise<void> {
    while (this.running) {
      const kind = this.kinds[this.sent++ % this.kinds.length];
      const startedAt = Date.now();
      const result: Omit<LoadResult, 'finishedAt' | 'ms'> = {
        kind: kind.name,
        needs: kind.needs,
        status: 0,
        retryAfter: null,
        startedAt,
      };
      try {
        const response = await kind.send(AbortSignal.timeout(hangAfterMs));
        const body = await response.text();
        // An error's body says why (which service, timeout or not running): kept for the report.
        if (kind.keepBody || response.status >= 500) result.body = body;
        result.status = response.status;
        result.retryAfter = response.headers.get('retry-after');
      } catch (error) {
        result.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      const finishedAt = Date.now();
      this.results.push({ ...result, finishedAt, ms: finishedAt - startedAt });
    }
  }
}

/**
 * The load the fault tests send through the gateway as an internal user with the session `cookie`:
 * the ticket list and one ticket (tickets), the inboxes (inbox), the contacts (identity), and a public
 * form submission (forms; its answer kept, for the submission id).
 */
export function helpdeskLoad(
  baseUrl: string,
  cookie: string,
  { ticketId, formId, label }: { ticketId: string; formId: string; label: string },
): LoadKind[] {
  const get = (path: string) => (signal: AbortSignal) =>
    fetch(`${baseUrl}${path}`, { headers: { cookie }, signal });
  let submitted = 0;
  const submit = (signal: AbortSignal) => {
    const n = submitted++;
    return fetch(`${baseUrl}/forms/v1/submit/${formId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `${label}-${n % 20}@load.test`,
        subject: `${label} ${n}`,
        content: `Load submission ${n}.`,
      }),
      signal,
    });
  };
  return [
    { name: 'tickets.list', needs: ['tickets'], send: get('/api/v1/tickets?limit=10') },
    { name: 'tickets.get', needs: ['tickets'], send: get(`/api/v1/tickets/${ticketId}`) },
    { name: 'inboxes.list', needs: ['inbox'], send: get('/api/v1/inboxes') },
    { name: 'contacts.list', needs: ['identity'], send: get('/api/v1/contacts?limit=10') },
    { name: 'forms.submit', needs: ['forms'], send: submit, keepBody: true },
  ];
}

/** The ids of the submissions the load's form posts got accepted. */
export const acceptedSubmissions = (results: LoadResult[]) =>
  results
    .filter((result) => result.kind === 'forms.submit' && ok(result))
    .map((result) => (JSON.parse(result.body!) as { submissionId: string }).submissionId);

/** Runs `during` under load; the load stops however `during` ends. Resolves with every result. */
export async function underLoad(
  kinds: LoadKind[],
  options: { concurrency?: number; hangAfterMs: number },
  during: (load: Load) => Promise<void>,
): Promise<LoadResult[]> {
  const load = new Load(kinds, options);
  try {
    await during(load);
  } finally {
    await load.stop();
  }
  return load.results;
}

const ok = (result: LoadResult) => result.status >= 200 && result.status < 300;

/** Results in a time window: started at or after `from` and answered by `to`. */
export const within = (results: LoadResult[], from: number, to = Infinity) =>
  results.filter((result) => result.startedAt >= from && result.finishedAt <= to);

/** Results of requests that need (or, with `needs: false`, do not need) the process. */
export const needing = (results: LoadResult[], name: ProcessName, needs = true) =>
  results.filter((result) => result.needs.includes(name) === needs);

/** The results that are not a success, for an assertion that shows what went wrong. */
export const failures = (results: LoadResult[]) => results.filter((result) => !ok(result));

/** Counts by kind and status, e.g. `{ 'tickets.list 200': 120, 'tickets.list 503': 14 }`: for messages and reports. */
export const tally = (results: LoadResult[]) => {
  const counts: Record<string, number> = {};
  for (const { kind, status } of results)
    counts[`${kind} ${status}`] = (counts[`${kind} ${status}`] ?? 0) + 1;
  return counts;
};

/** The slowest answer, in ms (0 for none). */
export const slowest = (results: LoadResult[]) => Math.max(0, ...results.map((result) => result.ms));
