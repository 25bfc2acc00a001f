import type { ErrorBody, ErrorCode, FieldErrors } from '@helpdesk/contracts';

/** The one error type services throw on purpose; its code tells the gateway what went wrong. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toBody(): ErrorBody {
    return this.fields
      ? { code: this.code, message: this.message, fields: this.fields }
      : { code: this.code, message: this.message };
  }
}
