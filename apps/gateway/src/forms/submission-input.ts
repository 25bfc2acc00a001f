import {
  FieldProblem,
  HONEYPOT_FIELD,
  REDIRECT_FIELD,
  SubmittedValue,
  type ErrorBody,
  type FieldErrors,
} from '@helpdesk/contracts';
import { AppError, escapeHtml } from '@helpdesk/kit';
import { z } from 'zod';

/** What a public submission carries, whichever shape it came in. */
export interface SubmissionInput {
  values: Record<string, SubmittedValue>;
  /** The honeypot was filled: a bot. Answer like a success, store nothing. */
  honeypot: boolean;
  /** Where an HTML form post asks to be sent back to. */
  redirectUrl?: string;
  context: { pageUri?: string; pageName?: string; hutk?: string; legalConsent?: unknown };
}

const filled = (value: unknown) =>
  value !== undefined &&
  value !== null &&
  value !== false &&
  !(typeof value === 'string' && value.trim() === '') &&
  !(Array.isArray(value) && value.every((v) => typeof v === 'string' && v.trim() === ''));

const cut = (text: string | undefined, max: number) => (text === undefined ? undefined : text.slice(0, max));

/**
 * The native shape, JSON or an HTML form post: an object of field name → value (text, number,
 * true/false, null, or a list for repeated names), plus the reserved `hd_website` (honeypot) and
 * `redirectUrl`.
 */
export function nativeInput(body: unknown, referer?: string): SubmissionInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError('VALIDATION_FAILED', 'The body must be an object of field values', {
      '(root)': ['must be an object of field values'],
    });
  const values: Record<string, SubmittedValue> = {};
  const problems: FieldErrors = {};
  let redirectUrl: string | undefined;
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === HONEYPOT_FIELD) continue;
    if (name === REDIRECT_FIELD) {
      if (typeof value === 'string') redirectUrl = value;
      continue;
    }
    const parsed = SubmittedValue.safeParse(value);
    if (parsed.success) values[name] = parsed.data;
    else problems[name] = ['must be text, a number, true or false, or a list of them'];
  }
  if (Object.keys(problems).length)
    throw new AppError('VALIDATION_FAILED', 'Some values have the wrong shape', problems);
  return {
    values,
    honeypot: filled((body as Record<string, unknown>)[HONEYPOT_FIELD]),
    redirectUrl,
    context: { pageUri: cut(referer, 2_000) },
  };
}

const HubSpotSubmission = z.object({
  fields: z
    .array(
      z.object({
        name: z.string().min(1, 'is required').max(200),
        value: z
          .union([z.string().max(100_000), z.number(), z.boolean()])
          .nullable()
          .optional(),
        /** HubSpot's object type ("0-1" contact, "0-5" ticket): fields are matched by name only. */
        objectTypeId: z.string().max(20).optional(),
      }),
    )
    .max(500),
  context: z
    .object({
      pageUri: z.string().optional(),
      pageName: z.string().optional(),
      hutk: z.string().optional(),
    })
    .optional(),
  legalConsentOptions: z.unknown().optional(),
});

/**
 * HubSpot's forms submission shape (`/submissions/v3/integration/submit/{portalId}/{formId}`):
 * `{ fields: [{ name, value }], context: { pageUri, pageName, hutk }, legalConsentOptions }`. A name
 * given twice becomes a list, as repeated names of an HTML form do.
 */
export function hubspotInput(body: unknown): SubmissionInput {
  const result = HubSpotSubmission.safeParse(body);
  if (!result.success) {
    const fields: FieldErrors = {};
    for (const issue of result.error.issues)
      (fields[issue.path.join('.') || '(root)'] ??= []).push(issue.message);
    throw new AppError('VALIDATION_FAILED', 'The body is not a HubSpot form submission', fields);
  }
  const values: Record<string, SubmittedValue> = {};
  let honeypot = false;
  for (const { name, value = null } of result.data.fields) {
    if (name === HONEYPOT_FIELD) {
      honeypot ||= filled(value);
      continue;
    }
    const previous = values[name];
    if (previous === undefined) values[name] = value;
    else if (value !== null)
      values[name] = [...(Array.isArray(previous) ? previous : previous === null ? [] : [previous]), value];
  }
  const context = result.data.context ?? {};
  return {
    values,
    honeypot,
    context: {
      pageUri: cut(context.pageUri, 2_000),
      pageName: cut(context.pageName, 500),
      hutk: cut(context.hutk, 200),
      ...(result.data.legalConsentOptions !== undefined
        ? { legalConsent: result.data.legalConsentOptions }
        : {}),
    },
  };
}

const httpUrl = (text: string | undefined, base?: string): URL | null => {
  if (!text) return null;
  try {
    const url = new URL(text, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
};

/**
 * Where an HTML form post goes after a success: the requested `redirectUrl` (absolute, or relative
 * to the posting page) when it is on the site that posted (its origin is the request's Origin, or
 * the Referer's without one: no open redirect), else back to the Referer; with `submitted=1`. Null
 * when there is nowhere to go (the thank-you page is shown).
 */
export function redirectTarget(
  requested: string | undefined,
  origin: string | undefined,
  referer: string | undefined,
): string | null {
  const page = httpUrl(referer);
  const site = httpUrl(origin)?.origin ?? page?.origin;
  const wanted = httpUrl(requested, page?.href);
  const target = wanted && site && wanted.origin === site ? wanted : page;
  if (!target) return null;
  target.searchParams.set('submitted', '1');
  return target.href;
}

/** HubSpot's `errorType` for our field messages, so embed code that reads them keeps working. */
function hubspotErrorType(message: string): string {
  if (message === FieldProblem.required) return 'REQUIRED_FIELD';
  if (message === FieldProblem.email) return 'INVALID_EMAIL';
  if (message === FieldProblem.number) return 'INVALID_NUMBER';
  if (message === FieldProblem.unknown) return 'FIELD_NOT_IN_FORM_DEFINITION';
  if (message === FieldProblem.option || message === FieldProblem.oneValue)
    return 'VALUE_NOT_IN_FIELD_DEFINITION';
  if (message.startsWith('must be at most')) return 'INPUT_TOO_LARGE';
  return 'INVALID_FIELD';
}

/**
 * An error in HubSpot's shape (`status`, `message`, `correlationId`, `errors[{message, errorType}]`)
 * with ours beside it (`error: {code, message, fields, correlationId}`).
 */
export function hubspotErrorBody(body: ErrorBody, correlationId: string) {
  const errors = body.fields
    ? Object.entries(body.fields).flatMap(([name, messages]) =>
        messages.map((message) => ({
          message: `Error in 'fields.${name}'. ${name} ${message}`,
          errorType: hubspotErrorType(message),
        })),
      )
    : [{ message: body.message, errorType: body.code }];
  return {
    status: 'error',
    message: body.message,
    correlationId,
    errors,
    error: { ...body, correlationId },
  };
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}</style>
</head>
<body><main>${body}</main></body>
</html>
`;

const backLink = (referer: string | undefined) => {
  const url = httpUrl(referer);
  return url ? `<p><a href="${escapeHtml(url.href)}">Back to the form</a></p>` : '';
};

/** After an HTML form post with nowhere to go back to. */
export const thankYouPage = (message: string, referer?: string) =>
  page('Thank you', `<h1>Thank you</h1><p>${escapeHtml(message)}</p>${backLink(referer)}`);

/** An HTML form post that was refused: what is wrong, field by field. */
export function errorPage(body: ErrorBody, referer?: string): string {
  const fields = body.fields
    ? `<ul>${Object.entries(body.fields)
        .map(
          ([name, messages]) =>
            `<li><strong>${escapeHtml(name)}</strong> ${escapeHtml(messages.join(', '))}</li>`,
        )
        .join('')}</ul>`
    : '';
  return page(
    'The form was not sent',
    `<h1>The form was not sent</h1><p role="alert">${escapeHtml(
      body.fields ? 'Please check these fields:' : body.message,
    )}</p>${fields}${backLink(referer)}`,
  );
}
