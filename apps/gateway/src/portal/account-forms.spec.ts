import { describe, expect, it } from '@jest/globals';
import { AppError } from '@helpdesk/kit';
import {
  accountRefusalOf,
  newPasswordForm,
  passwordMinLength,
  registrationForm,
  tokenFrom,
} from './account-forms.js';

const filled = {
  firstName: ' Nina ',
  lastName: 'Berg',
  email: ' Nina@NewCo.test ',
  password: 'correct horse battery',
  consent: 'yes',
};

describe('registrationForm', () => {
  it('takes a complete form as it is, trimmed, the consent ticked', () => {
    expect(registrationForm(filled, true)).toEqual({
      values: {
        firstName: 'Nina',
        lastName: 'Berg',
        email: 'Nina@NewCo.test',
        password: 'correct horse battery',
        consent: true,
      },
      problems: {},
    });
  });

  it('requires the consent only when a notice is shown', () => {
    const unticked = { ...filled, consent: '' };
    expect(registrationForm(unticked, true).problems).toEqual({ consent: { key: 'consentRequired' } });
    expect(registrationForm(unticked, false).problems).toEqual({});
    expect(registrationForm({ ...filled, consent: 'on' }, true).problems).toHaveProperty('consent');
  });

  it('names every missing or bad field with the limits of the contract', () => {
    expect(
      registrationForm(
        { firstName: '  ', lastName: 'x'.repeat(101), email: 'nina@', password: 'short' },
        false,
      ).problems,
    ).toEqual({
      firstName: { key: 'firstNameRequired' },
      lastName: { key: 'nameTooLong', values: { max: 100 } },
      email: { key: 'emailInvalid' },
      password: { key: 'passwordTooShort', values: { min: passwordMinLength } },
    });
    expect(registrationForm({}, false).problems).toEqual({
      firstName: { key: 'firstNameRequired' },
      lastName: { key: 'lastNameRequired' },
      email: { key: 'emailRequired' },
      password: { key: 'passwordRequired' },
    });
    expect(passwordMinLength).toBe(8);
  });

  it('reads only strings from the body (a repeated field is not a value)', () => {
    const { values } = registrationForm({ ...filled, email: ['a@b.test', 'c@d.test'] }, false);
    expect(values.email).toBe('');
  });
});

describe('newPasswordForm', () => {
  it('wants the same acceptable password twice', () => {
    expect(newPasswordForm({ password: 'a long new password', confirm: 'a long new password' })).toEqual({
      password: 'a long new password',
      problems: {},
    });
    expect(
      newPasswordForm({ password: 'a long new password', confirm: 'a long new passwort' }).problems,
    ).toEqual({
      confirm: { key: 'passwordsDiffer' },
    });
    expect(newPasswordForm({ password: 'x'.repeat(257), confirm: 'x'.repeat(257) }).problems).toEqual({
      password: { key: 'passwordTooLong', values: { max: 256 } },
    });
  });
});

describe('tokenFrom', () => {
  it('accepts what identity mails (43 base64url characters)', () => {
    const token = 'q8Bv1mX0_zPj-3hYtW9rK2sLd4fGa7cE5nU6oI0pQxw';
    expect(tokenFrom(token)).toBe(token);
  });

  it('refuses what cannot be a token, without asking identity', () => {
    for (const value of [undefined, '', 'short', 'a'.repeat(201), 'a'.repeat(20) + '<', ['a'.repeat(43)], 42])
      expect(tokenFrom(value)).toBeNull();
  });
});

describe('accountRefusalOf', () => {
  it('maps identity refusals to what the page does', () => {
    expect(accountRefusalOf(new AppError('TOKEN_INVALID', 'expired'))).toBe('link-invalid');
    expect(accountRefusalOf(new AppError('PORTAL_ACCESS_DENIED', 'no group'))).toBe('access-denied');
    expect(
      accountRefusalOf(
        new AppError('VALIDATION_FAILED', 'too common', { password: ['is one of the most common'] }),
      ),
    ).toBe('password-refused');
  });

  it('leaves everything else to the error page', () => {
    expect(
      accountRefusalOf(new AppError('VALIDATION_FAILED', 'bad', { email: ['must be an email'] })),
    ).toBeNull();
    expect(accountRefusalOf(new AppError('SERVICE_UNAVAILABLE', 'down'))).toBeNull();
    expect(accountRefusalOf(new Error('boom'))).toBeNull();
  });
});
