import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { AppError } from './app-error.js';
import { parseOrThrow } from './validation.js';

const Request = z.object({
  accountId: z.uuid(),
  subject: z.string().trim().min(1, 'is required'),
  priority: z.enum(['low', 'high']).nullable().default(null),
});

describe('parseOrThrow', () => {
  it('returns the parsed value with defaults', () => {
    const accountId = '0b9f8a52-4a43-4a5e-9a57-52d1f5a3f0a1';
    expect(parseOrThrow(Request, { accountId, subject: ' Hi ' })).toEqual({
      accountId,
      subject: 'Hi',
      priority: null,
    });
  });

  it('throws VALIDATION_FAILED with messages per field path, under an optional prefix', () => {
    let error: unknown;
    try {
      parseOrThrow(Request, { accountId: 'x', subject: '', priority: 'whenever' }, 'ticket', 'settings');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_FAILED');
    expect(Object.keys((error as AppError).fields ?? {}).sort()).toEqual([
      'settings.accountId',
      'settings.priority',
      'settings.subject',
    ]);
    expect((error as AppError).message).toMatch(/^Invalid ticket: /);
  });
});
