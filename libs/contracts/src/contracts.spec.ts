import { describe, expect, it } from '@jest/globals';
import {
  AuthenticateUserRequest,
  ErrorKinds,
  Events,
  isErrorBody,
  PageRequest,
  ReadSubjects,
  RESERVED_SLUGS,
  Rpc,
  Services,
  Slug,
} from './index.js';

describe('contracts', () => {
  it('names every subject after the service that serves it', () => {
    for (const subject of Object.keys(Rpc)) {
      expect(Services).toContain(subject.split('.')[0]);
    }
  });

  it('gives every service a ping subject for readiness checks', () => {
    for (const service of Services) expect(Object.keys(Rpc)).toContain(`${service}.ping`);
  });

  it('counts every get, list and ping as a read, and nothing that writes', () => {
    for (const subject of Object.keys(Rpc) as (keyof typeof Rpc)[])
      if (/\.(get|list|ping)$/.test(subject))
        expect([subject, ReadSubjects.has(subject)]).toEqual([subject, true]);
    for (const subject of ReadSubjects)
      expect(subject).not.toMatch(
        /\.(create|update|delete|submit|add|remove|open|close|record|start|register|login)/i,
      );
  });

  it('names events <entity>.<past tense>', () => {
    for (const event of Object.keys(Events)) expect(event).toMatch(/^[a-z]+(\.[a-z]+)*\.[a-z]+ed$/);
  });

  it('normalises login emails and caps password length before any hashing', () => {
    expect(AuthenticateUserRequest.parse({ email: ' Alice@Acme.TEST ', password: 'x' }).email).toBe(
      'alice@acme.test',
    );
    expect(AuthenticateUserRequest.safeParse({ email: 'a@b.test', password: 'x'.repeat(1025) }).success).toBe(
      false,
    );
  });

  it('defaults page size to 25 and accepts at most 100', () => {
    expect(PageRequest.parse({})).toEqual({ limit: 25 });
    expect(PageRequest.parse({ limit: '40' })).toEqual({ limit: 40 });
    expect(PageRequest.safeParse({ limit: 101 }).success).toBe(false);
    expect(PageRequest.safeParse({ limit: 0 }).success).toBe(false);
  });

  it('recognises only error bodies with a known code', () => {
    expect(isErrorBody({ code: 'TICKET_NOT_FOUND', message: 'gone' })).toBe(true);
    expect(isErrorBody({ code: 'SOMETHING_ELSE', message: 'x' })).toBe(false);
    expect(isErrorBody({ status: 'error', message: 'Internal server error' })).toBe(false);
    expect(Object.keys(ErrorKinds)).toContain('SERVICE_UNAVAILABLE');
  });
});

describe('portal slug', () => {
  it('is refused where the gateway has its own addresses, and allowed elsewhere', () => {
    for (const slug of RESERVED_SLUGS) expect(Slug.safeParse(slug).success).toBe(false);
    expect(Slug.safeParse('Admin').success).toBe(false);
    expect(Slug.parse('administration')).toBe('administration');
    expect(Slug.parse(' Support ')).toBe('support');
  });
});
