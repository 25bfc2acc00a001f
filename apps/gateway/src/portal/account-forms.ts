import { RegisterRequest, TokenRequest } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import type { z } from 'zod';
import type { MessageKey } from './i18n.js';
import { formField } from '../http/form-fields.js';

/** What is wrong with one field, as a message of the catalogue and the values it names. */
export interface FieldProblem {
  key: MessageKey;
  values?: Record<string, number>;
}

/** Which message each way of failing a field's contract rule gets. */
interface ProblemKeys {
  required: MessageKey;
  invalid?: MessageKey;
  tooShort?: MessageKey;
  tooLong?: MessageKey;
}

/**
 * Checks a field against its rule in the contract (so the page and identity never disagree) and
 * names the problem for a person: empty, too short or long (with the limit), or not valid.
 */
function problemOf(schema: z.ZodType, value: string, keys: ProblemKeys): FieldProblem | undefined {
  if (!value.trim()) return { key: keys.required };
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  const issue = result.error.issues[0];
  if (issue.code === 'too_small' && keys.tooShort)
    return { key: keys.tooShort, values: { min: Number(issue.minimum) } };
  if (issue.code === 'too_big' && keys.tooLong)
    return { key: keys.tooLong, values: { max: Number(issue.maximum) } };
  return { key: keys.invalid ?? keys.required };
}

const { email, firstName, lastName, password } = RegisterRequest.shape;

/** The contract's shortest new password, for the hint beside the field. */
export const passwordMinLength = password.minLength as number;

export const emailProblem = (value: string) =>
  problemOf(email, value, { required: 'emailRequired', invalid: 'emailInvalid' });

/** A new password: the contract's length rule; identity also refuses the most common ones. */
export const newPasswordProblem = (value: string) =>
  problemOf(password, value, {
    required: 'passwordRequired',
    tooShort: 'passwordTooShort',
    tooLong: 'passwordTooLong',
  });

export interface RegistrationValues {
  firstName: string;
  lastName: string;
  email: string;
  password: string;
  consent: boolean;
}
export type RegistrationField = keyof RegistrationValues;

/** The registration form as posted, and its problems; consent is required when a notice is shown (S11). */
export function registrationForm(
  body: unknown,
  consentAsked: boolean,
): { values: RegistrationValues; problems: Partial<Record<RegistrationField, FieldProblem>> } {
  const values: RegistrationValues = {
    firstName: formField(body, 'firstName').trim(),
    lastName: formField(body, 'lastName').trim(),
    email: formField(body, 'email').trim(),
    password: formField(body, 'password'),
    consent: formField(body, 'consent') === 'yes',
  };
  const problems: Partial<Record<RegistrationField, FieldProblem>> = {
    firstName: problemOf(firstName, values.firstName, {
      required: 'firstNameRequired',
      tooLong: 'nameTooLong',
    }),
    lastName: problemOf(lastName, values.lastName, { required: 'lastNameRequired', tooLong: 'nameTooLong' }),
    email: emailProblem(values.email),
    password: newPasswordProblem(values.password),
    consent: consentAsked && !values.consent ? { key: 'consentRequired' } : undefined,
  };
  return { values, problems: withoutEmpty(problems) };
}

/** A new password typed twice (reset, invitation). */
export function newPasswordForm(body: unknown): {
  password: string;
  problems: Partial<Record<'password' | 'confirm', FieldProblem>>;
} {
  const password = formField(body, 'password');
  const confirm = formField(body, 'confirm');
  const problem = newPasswordProblem(password);
  return {
    password,
    problems: withoutEmpty({
      password: problem,
      confirm: !problem && confirm !== password ? { key: 'passwordsDiffer' } : undefined,
    }),
  };
}

const withoutEmpty = <T extends object>(problems: T): T =>
  Object.fromEntries(Object.entries(problems).filter(([, problem]) => problem !== undefined)) as T;

/**
 * The single-use token of an emailed link (query or hidden field), or null when it cannot be one:
 * such a link gets the "link does not work" page without a round trip to identity.
 */
export function tokenFrom(value: unknown): string | null {
  return typeof value === 'string' &&
    /^[A-Za-z0-9_-]+$/.test(value) &&
    TokenRequest.shape.token.safeParse(value).success
    ? value
    : null;
}

/**
 * What a page does with identity's refusal of a link or a new password: the link is spent or
 * expired, the contact may not use the portal, or identity refused the password (the most common
 * ones). Anything else is not the visitor's to fix: the portal's error page takes it.
 */
export type AccountRefusal = 'link-invalid' | 'access-denied' | 'password-refused';

export function accountRefusalOf(error: unknown): AccountRefusal | null {
  if (!(error instanceof AppError)) return null;
  if (error.code === 'TOKEN_INVALID') return 'link-invalid';
  if (error.code === 'PORTAL_ACCESS_DENIED') return 'access-denied';
  if (error.code === 'VALIDATION_FAILED' && error.fields?.password) return 'password-refused';
  return null;
}
