import { ErrorKinds, type ContactView } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { httpStatusOf } from '../http/error-response.js';
import { sectionErrors } from './portal-settings-form.js';

// What the contacts, companies and access groups pages share.

/** A service's refusal of what a form sent: the page shows `message` above the form and `fields` at them. */
export interface FormRefusal {
  status: number;
  message: string;
  /** Messages by field path (`email`, `properties.seats`, …). */
  fields: Record<string, string>;
}

/**
 * The refusal in `error` when a service found the form's values invalid (400), too large (413, such
 * as an attached file) or in conflict with stored data, such as an email already used (409);
 * anything else is rethrown for the error page.
 */
export function refusalOf(error: unknown): FormRefusal {
  if (error instanceof AppError) {
    const kind = ErrorKinds[error.code];
    if (kind === 'invalid' || kind === 'conflict' || kind === 'too_large')
      return {
        status: httpStatusOf(error.code),
        message: error.message,
        fields: sectionErrors(error.fields),
      };
  }
  throw error;
}

/** A list page's `q` and `after` query parameters (anything but one string reads as absent). */
export function listQuery(query: Record<string, unknown>): { q: string; after: string | undefined } {
  const q = typeof query.q === 'string' ? query.q.trim() : '';
  const after = typeof query.after === 'string' && query.after ? query.after : undefined;
  return { q, after };
}

/** The link to a list's next page: the same search, after `cursor`. */
export function nextPageHref(path: string, q: string, cursor: string | null): string | null {
  if (!cursor) return null;
  const params = new URLSearchParams({ ...(q ? { q } : {}), after: cursor });
  return `${path}?${params.toString()}`;
}

/** The link back to a list's first page, for a page after it; null on the first page. */
export function firstPageHref(path: string, q: string, after: string | undefined): string | null {
  if (!after) return null;
  return q ? `${path}?${new URLSearchParams({ q }).toString()}` : path;
}

/** "First Last", or empty when the contact has no name. */
export const contactName = (contact: ContactView) =>
  [contact.firstName, contact.lastName].filter(Boolean).join(' ');
