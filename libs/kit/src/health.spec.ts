import { describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { dependencyState, readiness } from './health.js';
import { Metrics, startMetricsServer } from './metrics.js';

describe('readiness', () => {
  it('is ready when every check answers, and names each one', async () => {
    expect(await readiness({ database: () => Promise.resolve(1), nats: () => Promise.resolve() })).toEqual({
      ready: true,
      body: { status: 'ok', checks: { database: 'up', nats: 'up' } },
    });
  });

  it('is not ready when one check fails, and says why', async () => {
    const { ready, body } = await readiness({
      database: () => Promise.resolve(1),
      nats: () => Promise.reject(new Error('connection refused')),
    });
    expect({ ready, body }).toEqual({
      ready: false,
      body: { status: 'unavailable', checks: { database: 'up', nats: 'down: connection refused' } },
    });
  });

  it('counts a check that does not answer in time as down, without waiting for it', async () => {
    const started = Date.now();
    expect(await dependencyState(() => new Promise(() => undefined), 50)).toBe(
      'down: no answer within 50 ms',
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('the metrics server', () => {
  it('serves liveness, readiness from its checks, and metrics', async () => {
    let databaseUp = true;
    const server = await startMetricsServer(new Metrics('tickets'), 0, '127.0.0.1', {
      database: () => (databaseUp ? Promise.resolve() : Promise.reject(new Error('database is down'))),
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${url}/health/ready`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ok', checks: { database: 'up' } }]);
      databaseUp = false;
      const down = await fetch(`${url}/health/ready`);
      expect([down.status, await down.json()]).toEqual([
        503,
        { status: 'unavailable', checks: { database: 'down: database is down' } },
      ]);
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('rpc_handler_duration_seconds');
      expect((await fetch(`${url}/other`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
