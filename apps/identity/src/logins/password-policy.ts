import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '@helpdesk/kit';

// The most common passwords from public breach corpora, as bundled by zxcvbn-ts (about 49k, by frequency).
const common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

/**
 * OWASP ASVS 2.1: length is checked by the contract (8 to 256); no composition rules; refuse
 * passwords that appear in breach lists. Throws VALIDATION_FAILED with a field message.
 */
export function assertAcceptablePassword(password: string, field = 'password'): void {
  if (common.has(password.toLowerCase())) {
    throw new AppError('VALIDATION_FAILED', 'This password is too common; choose another', {
      [field]: ['is one of the most common passwords; choose another'],
    });
  }
}
