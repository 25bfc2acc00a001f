import { CreateTicketRequest } from '@helpdesk/contracts';
import { describe, expect, it } from '@jest/globals';
import { AppError } from './app-error.js';
import { parseOrThrow } from './validation.js';

describe('parseOrThrow', () => {
  it('returns the parsed value with defaults', () => {
    const accountId = '0b9f8a52-4a43-4a5e-9a57-52d1f5a3f0a1';
    expect(parseOrThrow(CreateTicketRequest, { accountId, subject: ' Hi ' })).toEqual({
      accountId,
      subject: 'Hi',
      content: '',
      priority: null,
      requesterContactId: null,
      companyId: null,
    });
  });

  it('throws VALIDATION_FAILED with messages per field path', () => {
    let error: unknown;
    try {
      parseOrThrow(CreateTicketRequest, { accountId: 'x', subject: '', priority: 'whenever' }, 'ticket');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_FAILED');
    expect(Object.keys((error as AppError).fields ?? {}).sort()).toEqual([
      'accountId',
      'priority',
      'subject',
    ]);
    expect((error as AppError).message).toMatch(/^Invalid ticket: /);
  });
});
