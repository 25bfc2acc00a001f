/**
 * Every error a service may return, with the kind of failure it is. The gateway maps the kind to an
 * HTTP status, so a new code only needs a line here.
 */
export const ErrorKinds = {
  VALIDATION_FAILED: 'invalid',
  INVALID_CURSOR: 'invalid',
  PAYLOAD_TOO_LARGE: 'too_large',
  INVALID_CREDENTIALS: 'unauthenticated',
  UNAUTHENTICATED: 'unauthenticated',
  FORBIDDEN: 'forbidden',
  /** A contact may not use this portal (not in an access group, portal switched off); carries a reason. */
  PORTAL_ACCESS_DENIED: 'forbidden',
  /** A single-use link (invitation, verification, password reset) that is unknown, used or expired. */
  TOKEN_INVALID: 'invalid',
  /** Single sign-on could not be completed (state, nonce, issuer or audience mismatch; provider error). */
  SSO_FAILED: 'unauthenticated',
  TOO_MANY_ATTEMPTS: 'rate_limited',
  ACCOUNT_NOT_FOUND: 'not_found',
  USER_NOT_FOUND: 'not_found',
  CONTACT_NOT_FOUND: 'not_found',
  COMPANY_NOT_FOUND: 'not_found',
  ACCESS_GROUP_NOT_FOUND: 'not_found',
  PORTAL_NOT_FOUND: 'not_found',
  DOMAIN_NOT_FOUND: 'not_found',
  TICKET_NOT_FOUND: 'not_found',
  PIPELINE_NOT_FOUND: 'not_found',
  STAGE_NOT_FOUND: 'not_found',
  ROUTE_NOT_FOUND: 'not_found',
  /** A CSV export that does not exist, has expired or was started by someone else. */
  EXPORT_NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  EMAIL_TAKEN: 'conflict',
  TICKET_ALREADY_CLOSED: 'conflict',
  /** A pipeline that still has tickets cannot be deleted (the message says how many). */
  PIPELINE_IN_USE: 'conflict',
  /** An account keeps at least one pipeline. */
  LAST_PIPELINE: 'conflict',
  /** A stage that has tickets cannot be deleted or switch between open and closed (the message says how many). */
  STAGE_IN_USE: 'conflict',
  /** A pipeline keeps at least one open and one closed stage. */
  LAST_STAGE_OF_STATE: 'conflict',
  TICKET_PROPERTY_NOT_FOUND: 'not_found',
  /** Built-in ticket properties cannot be changed or deleted. */
  TICKET_PROPERTY_BUILT_IN: 'conflict',
  /** A custom property (or an option of it) that tickets have values for (the message says how many). */
  TICKET_PROPERTY_IN_USE: 'conflict',
  INBOX_NOT_FOUND: 'not_found',
  THREAD_NOT_FOUND: 'not_found',
  /** An attachment that does not exist, or that this caller may not see (an internal note's, another ticket's). */
  ATTACHMENT_NOT_FOUND: 'not_found',
  /** An inbox or help desk that still has threads cannot be deleted. */
  INBOX_NOT_EMPTY: 'conflict',
  /** A customer reply to a closed ticket where the portal does not allow replies to closed tickets (S9). */
  TICKET_CLOSED: 'conflict',
  /** More attachments on one message than MAX_ATTACHMENTS_PER_MESSAGE. */
  TOO_MANY_ATTACHMENTS: 'invalid',
  /** An attachment over MAX_ATTACHMENT_BYTES. */
  ATTACHMENT_TOO_LARGE: 'too_large',
  /** An attachment whose content type is not in ALLOWED_ATTACHMENT_TYPES. */
  ATTACHMENT_TYPE_NOT_ALLOWED: 'invalid',
  /** An attachment whose storage key is not this account's upload, whose file is missing, or that is on another message already. */
  ATTACHMENT_INVALID: 'invalid',
  FORM_NOT_FOUND: 'not_found',
  /** A form the customer portal's support form is connected to cannot be deleted or lose what makes it one (S5). */
  FORM_IN_USE: 'conflict',
  /** A form submission that does not exist, or is not the asking contact's. */
  SUBMISSION_NOT_FOUND: 'not_found',
  /** Too many form submissions from one address or to one form in the current window (the answer says when to retry). */
  TOO_MANY_SUBMISSIONS: 'rate_limited',
  SERVICE_UNAVAILABLE: 'unavailable',
  INTERNAL: 'internal',
} as const;

export type ErrorCode = keyof typeof ErrorKinds;
export type ErrorKind = (typeof ErrorKinds)[ErrorCode];

/** One message per offending field, keyed by its dotted path in the payload (`subject`, `items.0.name`). */
export type FieldErrors = Record<string, string[]>;

/** What travels back over NATS (and out of the HTTP API) when a request fails. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  fields?: FieldErrors;
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).code === 'string' &&
    (value as ErrorBody).code in ErrorKinds &&
    typeof (value as ErrorBody).message === 'string'
  );
}
