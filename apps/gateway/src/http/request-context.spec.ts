import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger, Metrics } from '@helpdesk/kit';
import { LogCapture } from '@helpdesk/testing';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loggableUrl, requestContext } from './request-context.js';

describe('loggableUrl', () => {
  it.each([
    ['/support/verify-email?token=c2VjcmV0LXRva2Vu', '/support/verify-email?token=REDACTED'],
    ['/support/accept-invitation?token=abc&lang=fi', '/support/accept-invitation?token=REDACTED&lang=fi'],
    [
      '/support/sso/callback?code=abc&state=def&iss=x',
      '/support/sso/callback?code=REDACTED&state=REDACTED&iss=x',
    ],
    ['/support/preview?Token=abc', '/support/preview?Token=REDACTED'],
    // A name written with percent escapes is still the same parameter to the page.
    ['/support/reset-password?tok%65n=abc', '/support/reset-password?token=REDACTED'],
    ['/support/reset-password?token=a&token=b', '/support/reset-password?token=REDACTED&token=REDACTED'],
  ])('hides the secret in %s', (url, logged) => {
    expect(loggableUrl(url)).toBe(logged);
  });

  it('keeps paths and every other query parameter', () => {
    expect(loggableUrl('/support/tickets')).toBe('/support/tickets');
    expect(loggableUrl('/support/tickets?status=open&q=printer&sort=updated')).toBe(
      '/support/tickets?status=open&q=printer&sort=updated',
    );
    expect(loggableUrl('/support/tickets?')).toBe('/support/tickets?');
  });
});

describe('requestContext', () => {
  const logs = new LogCapture();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.use(
      requestContext(
        createLogger({ service: 'gateway', level: 'info', destination: logs }),
        new Metrics('gateway'),
      ),
    );
    app.get('/support/reset-password', (_req, res) => {
      res.send('ok');
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('logs the request without the token of the link', async () => {
    const token = 'c2VjcmV0LXJlc2V0LXRva2VuLTEyMzQ1Njc4OTA';
    expect((await fetch(`${base}/support/reset-password?token=${token}&lang=fi`)).status).toBe(200);
    const deadline = Date.now() + 2_000;
    while (!logs.lines.some((line) => line.msg === 'http request') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(logs.find((line) => line.msg === 'http request')).toEqual([
      expect.objectContaining({ url: '/support/reset-password?token=REDACTED&lang=fi', status: 200 }),
    ]);
    expect(JSON.stringify(logs.lines)).not.toContain(token);
  });
});
