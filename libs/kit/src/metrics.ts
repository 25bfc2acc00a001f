import { createServer, type Server, type ServerResponse } from 'node:http';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { readiness } from './health.js';

/** One registry per process: default process metrics plus the RPC durations every service records. */
export class Metrics {
  readonly registry = new Registry();
  readonly rpcDuration: Histogram<'subject' | 'outcome'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.rpcDuration = new Histogram({
      name: 'rpc_handler_duration_seconds',
      help: 'Time spent handling a NATS request or event',
      labelNames: ['subject', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }
}

/**
 * Serves `/metrics`, `/health/live` and `/health/ready` on its own port for processes that have no HTTP
 * server of their own; ready when every one of `readyChecks` answers (orchestrators probe these).
 */
export async function startMetricsServer(
  metrics: Metrics,
  port: number,
  host: string,
  readyChecks: Record<string, () => Promise<unknown>> = {},
): Promise<Server> {
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(body));
  const server = createServer((req, res) => {
    if (req.url === '/health/live') return json(res, 200, { status: 'ok' });
    if (req.url === '/health/ready') {
      // readiness() never rejects: every check's failure becomes its state.
      void readiness(readyChecks).then(({ ready, body }) => json(res, ready ? 200 : 503, body));
      return;
    }
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return server;
}
