import { describe, expect, it, jest } from '@jest/globals';
import { AppError, correlation, type Logger } from '@helpdesk/kit';
import { NotFoundException } from '@nestjs/common';
import type { Response } from 'express';
import { sendError } from './error-response.js';

function fakeResponse() {
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  return { res: res as unknown as Response, sent };
}

const logger = { error: jest.fn(), warn: jest.fn() } as unknown as Logger;

describe('sendError', () => {
  it.each([
    [new AppError('VALIDATION_FAILED', 'bad', { subject: ['is required'] }), 400],
    [new AppError('INVALID_CURSOR', 'bad cursor'), 400],
    [new AppError('INVALID_CREDENTIALS', 'no'), 401],
    [new AppError('FORBIDDEN', 'no'), 403],
    [new AppError('TICKET_NOT_FOUND', 'gone'), 404],
    [new AppError('CONFLICT', 'taken'), 409],
    [new AppError('PAYLOAD_TOO_LARGE', 'big'), 413],
    [new AppError('SERVICE_UNAVAILABLE', 'down'), 503],
    [new AppError('INTERNAL', 'oops'), 500],
  ])('maps %s to HTTP %i', (error, status) => {
    const { res, sent } = fakeResponse();
    sendError(error, res, logger);
    expect(sent.status).toBe(status);
    expect(sent.body).toEqual({
      error: expect.objectContaining({ code: error.code, message: error.message }),
    });
  });

  it('tells clients when to retry an unavailable service', () => {
    const { res, sent } = fakeResponse();
    sendError(new AppError('SERVICE_UNAVAILABLE', 'down'), res, logger);
    expect(sent.headers['Retry-After']).toBe('5');
  });

  it('keeps body-parser rejections as client errors with the API shape', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      type: 'entity.too.large',
    });
    const malformed = Object.assign(new Error('Unexpected end'), {
      status: 400,
      type: 'entity.parse.failed',
    });
    const first = fakeResponse();
    sendError(tooLarge, first.res, logger);
    expect(first.sent).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    const second = fakeResponse();
    sendError(malformed, second.res, logger);
    expect(second.sent).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: 'The request body is not valid JSON' } },
    });
  });

  it('maps Nest HTTP exceptions by status and hides unexpected errors behind a logged 500', () => {
    const notFound = fakeResponse();
    sendError(new NotFoundException('Cannot GET /x'), notFound.res, logger);
    expect(notFound.sent).toMatchObject({ status: 404, body: { error: { code: 'ROUTE_NOT_FOUND' } } });
    const crash = fakeResponse();
    sendError(new TypeError('secret internals'), crash.res, logger);
    expect(crash.sent).toMatchObject({
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'Internal error' } },
    });
    expect(logger.error).toHaveBeenCalled();
  });

  it('includes the correlation id so a user can quote it', () => {
    const { res, sent } = fakeResponse();
    correlation.run({ correlationId: 'quote-me-1234' }, () =>
      sendError(new AppError('FORBIDDEN', 'no'), res, logger),
    );
    expect(sent.body).toMatchObject({ error: { correlationId: 'quote-me-1234' } });
  });
});
