import type { ErrorCode } from '@helpdesk/contracts';
import { AppError, isUuid } from '@helpdesk/kit';

/**
 * Checks an id taken from the path: a malformed one names nothing, so it gets the same 404 as an
 * unknown one (and never reaches a service as a validation error about `id`).
 */
export const pathId =
  (code: ErrorCode, noun: string) =>
  (id: string): string => {
    if (!isUuid(id)) throw new AppError(code, `${noun} ${id} not found`);
    return id;
  };
