import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from 'nats';
import { RpcClient } from './rpc-client.js';

// libs/testing depends on this kit, so the kit cannot list it as a dependency (a cycle for turbo);
// Jest maps the name to its sources, and a computed specifier keeps the type checker out of it.
const testing = '@helpdesk/testing';
const { startTestNats } = (await import(testing)) as {
  startTestNats: () => Promise<{ url: string; stop(): Promise<void> }>;
};

const TIMEOUT_MS = 1_000;

let nats: { url: string; stop(): Promise<void> };
let server: NatsConnection;
let client: RpcClient;

/**
 * Serves a subject in Nest's reply format, but swallows the first request it gets: what a replica
 * killed while holding a request looks like to the caller. Resolves the requests it has seen.
 */
function swallowingFirst(subject: string, response: unknown): { seen: number } {
  const counter = { seen: 0 };
  server.subscribe(subject, {
    queue: 'svc',
    callback: (_error, message) => {
      counter.seen += 1;
      if (counter.seen === 1) return;
      const { id } = message.json<{ id: string }>();
      message.respond(new TextEncoder().encode(JSON.stringify({ id, response, isDisposed: true })));
    },
  });
  return counter;
}

beforeAll(async () => {
  nats = await startTestNats();
  server = await connect({ servers: nats.url });
  client = new RpcClient({ natsUrl: nats.url, timeoutMs: TIMEOUT_MS });
});

afterAll(async () => {
  await client?.close();
  await server?.drain();
  await nats?.stop();
});

describe('RpcClient when a request gets no answer', () => {
  it('asks a read again after half its timeout, and answers with the second reply within the deadline', async () => {
    const served = swallowingFirst('tickets.get', { id: 'ticket-1' });
    await server.flush();
    const started = Date.now();
    const ticket = await client.send('tickets.get', {
      accountId: crypto.randomUUID(),
      id: crypto.randomUUID(),
    });
    const took = Date.now() - started;
    expect(ticket).toEqual({ id: 'ticket-1' });
    expect(served.seen).toBe(2);
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS / 2 - 20);
    expect(took).toBeLessThan(TIMEOUT_MS);
  });

  it('never repeats a write: it fails as unavailable at the timeout, sent once', async () => {
    const served = swallowingFirst('tickets.create', {});
    await server.flush();
    const started = Date.now();
    await expect(
      client.send('tickets.create', { accountId: crypto.randomUUID(), subject: 'Printer on fire' }),
    ).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: `The tickets service did not answer within ${TIMEOUT_MS} ms`,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(served.seen).toBe(1);
  });

  it('fails a read at once when nobody serves its subject', async () => {
    const started = Date.now();
    await expect(client.send('inbox.inboxes.list', { accountId: crypto.randomUUID() })).rejects.toMatchObject(
      {
        code: 'SERVICE_UNAVAILABLE',
        message: 'The inbox service is not running',
      },
    );
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS / 2);
  });
});
