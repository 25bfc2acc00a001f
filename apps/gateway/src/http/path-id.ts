import { Id, type ErrorCode } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';

/**
 * Checks an id taken from the path as the contracts define an id: a malformed one names nothing, so
 * it gets the same 404 as an unknown one (and never reaches a service as a validation error).
 */
export const pathId =
  (code: ErrorCode, noun: string) =>
  (id: string): string => {
    if (!Id.safeParse(id).success) throw new AppError(code, `${noun} ${id} not found`);
    return id;
  };
