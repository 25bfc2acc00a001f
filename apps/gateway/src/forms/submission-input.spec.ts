import { describe, expect, it } from '@jest/globals';
import { AppError } from '@helpdesk/kit';
import {
  errorPage,
  hubspotErrorBody,
  hubspotInput,
  nativeInput,
  redirectTarget,
  thankYouPage,
} from './submission-input.js';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a refusal');
};

describe('public submission input', () => {
  it('reads the native shape, keeping the honeypot and redirect out of the values', () => {
    expect(
      nativeInput(
        {
          email: 'a@b.test',
          seats: 3,
          agree: true,
          tags: ['a', 'b'],
          hd_website: '',
          redirectUrl: '/thanks',
        },
        'https://example.test/contact',
      ),
    ).toEqual({
      values: { email: 'a@b.test', seats: 3, agree: true, tags: ['a', 'b'] },
      honeypot: false,
      redirectUrl: '/thanks',
      context: { pageUri: 'https://example.test/contact' },
    });
    expect(nativeInput({ email: 'a@b.test', hd_website: 'http://spam.test' }).honeypot).toBe(true);
  });

  it('refuses bodies that are not an object of simple values, naming the field', () => {
    expect(refusal(() => nativeInput([1, 2])).fields).toEqual({
      '(root)': ['must be an object of field values'],
    });
    expect(refusal(() => nativeInput({ email: { nested: true } })).fields).toEqual({
      email: ['must be text, a number, true or false, or a list of them'],
    });
  });

  it('reads HubSpot’s shape: fields by name, repeated names as a list, context and consent kept', () => {
    const input = hubspotInput({
      fields: [
        { objectTypeId: '0-1', name: 'email', value: 'a@b.test' },
        { objectTypeId: '0-5', name: 'subject', value: 'Hi' },
        { name: 'tags', value: 'a' },
        { name: 'tags', value: 'b' },
      ],
      context: { pageUri: 'https://example.test/p', pageName: 'Contact us', hutk: 'abc' },
      legalConsentOptions: { consent: { consentToProcess: true, text: 'OK' } },
    });
    expect(input).toEqual({
      values: { email: 'a@b.test', subject: 'Hi', tags: ['a', 'b'] },
      honeypot: false,
      context: {
        pageUri: 'https://example.test/p',
        pageName: 'Contact us',
        hutk: 'abc',
        legalConsent: { consent: { consentToProcess: true, text: 'OK' } },
      },
    });
    expect(hubspotInput({ fields: [{ name: 'hd_website', value: 'x' }] }).honeypot).toBe(true);
    expect(refusal(() => hubspotInput({ email: 'a@b.test' })).fields).toEqual({ fields: ['is required'] });
  });

  it('redirects only to the posting site, else back to the page, with submitted=1', () => {
    const page = 'https://shop.test/contact?x=1';
    expect(redirectTarget('/thanks', 'https://shop.test', page)).toBe('https://shop.test/thanks?submitted=1');
    expect(redirectTarget('https://evil.test/', 'https://shop.test', page)).toBe(
      'https://shop.test/contact?x=1&submitted=1',
    );
    expect(redirectTarget('javascript:alert(1)', undefined, page)).toBe(
      'https://shop.test/contact?x=1&submitted=1',
    );
    expect(redirectTarget(undefined, undefined, undefined)).toBeNull();
    expect(redirectTarget('https://evil.test/', undefined, undefined)).toBeNull();
  });

  it('answers HubSpot-style errors with ours beside them', () => {
    const body = hubspotErrorBody(
      {
        code: 'VALIDATION_FAILED',
        message: 'bad',
        fields: { email: ['is required'], x: ['is not a field of this form'] },
      },
      'corr-1234',
    );
    expect(body.status).toBe('error');
    expect(body.errors).toEqual([
      { message: "Error in 'fields.email'. email is required", errorType: 'REQUIRED_FIELD' },
      {
        message: "Error in 'fields.x'. x is not a field of this form",
        errorType: 'FIELD_NOT_IN_FORM_DEFINITION',
      },
    ]);
    expect(body.error).toMatchObject({ code: 'VALIDATION_FAILED', correlationId: 'corr-1234' });
  });

  it('escapes what it shows on its pages', () => {
    expect(thankYouPage('<b>Thanks</b>')).toContain('&lt;b&gt;Thanks&lt;/b&gt;');
    const html = errorPage(
      { code: 'VALIDATION_FAILED', message: 'x', fields: { '<i>': ['is required'] } },
      'javascript:alert(1)',
    );
    expect(html).toContain('&lt;i&gt;');
    expect(html).not.toContain('javascript:');
  });
});
