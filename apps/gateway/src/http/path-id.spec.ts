import { describe, expect, it } from '@jest/globals';
import { AppError } from '@helpdesk/kit';
import { pathId } from './path-id.js';

const contactId = pathId('CONTACT_NOT_FOUND', 'Contact');

describe('pathId', () => {
  it('passes a UUID through', () => {
    expect(contactId('6f1c8a52-1d9b-4a57-9f0e-2b8c3d4e5f60')).toBe('6f1c8a52-1d9b-4a57-9f0e-2b8c3d4e5f60');
  });

  it('answers a malformed id with the not-found error of an unknown one', () => {
    // The last: UUID-shaped but of no UUID version, which the services' own check (Id) refuses.
    for (const id of [
      'alice',
      '',
      '6f1c8a52-1d9b-4a57-9f0e-2b8c3d4e5f6',
      "' or 1=1 --",
      '6f1c8a52-1d9b-0a57-9f0e-2b8c3d4e5f60',
    ]) {
      const error = (() => {
        try {
          contactId(id);
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(AppError);
      expect([(error as AppError).code, (error as AppError).message]).toEqual([
        'CONTACT_NOT_FOUND',
        `Contact ${id} not found`,
      ]);
    }
  });
});
