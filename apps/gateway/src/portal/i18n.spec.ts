import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogues, format, translatorFor } from './i18n.js';
import { VIEWS_DIR } from '../http/page-views.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('the portal message catalogues', () => {
  const [en, fi] = [catalogues.en, catalogues.fi];

  it('have every key in both languages, each with a text', () => {
    expect(Object.keys(fi).sort()).toEqual(Object.keys(en).sort());
    for (const catalogue of [en, fi])
      for (const [key, text] of Object.entries(catalogue))
        expect([key, text.trim().length > 0]).toEqual([key, true]);
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[])
      expect([key, placeholders(fi[key])]).toEqual([key, placeholders(en[key])]);
  });

  it('translate every text (only words that are the same in Finnish may repeat)', () => {
    const same = Object.keys(en).filter((key) => en[key as keyof typeof en] === fi[key as keyof typeof fi]);
    expect(same).toEqual([]);
  });

  it('name the controls with the SPEC’s UI words, the Finnish ones from the seed', () => {
    const words: [keyof typeof en, string, string][] = [
      ['exportCsv', 'Export to CSV', 'Vie CSV-tiedostoon'],
      ['submitTicket', 'Submit a ticket', 'Tee tukiticket'],
      ['logOut', 'Log out', 'Kirjaudu ulos'],
      ['organizationTickets', 'Organization tickets', 'Organisaation liput'],
      ['ownedByMe', 'Owned by me', 'Omistamani'],
      ['show', 'Show', 'Näytä'],
      ['registerHere', 'Register here', 'Rekisteröidy tästä'],
      ['reply', 'Reply', 'Vastaa'],
      ['closeTicket', 'Close ticket', 'Sulje tiketti'],
      ['search', 'Search', 'Hae'],
    ];
    for (const [key, english, finnish] of words) expect([en[key], fi[key]]).toEqual([english, finnish]);
  });

  it('cover every message the templates use', () => {
    const dir = join(VIEWS_DIR, 'portal');
    const used = new Set<string>();
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
      name.endsWith('.liquid'),
    ))
      for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/\bm\.(\w+)/g)) used.add(match[1]);
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((key) => !(key in en))).toEqual([]);
  });
});

describe('Translator', () => {
  it('formats dates and numbers for the page’s locale', () => {
    const iso = '2026-11-27T10:00:00.000Z';
    expect(translatorFor('en').formatDate(iso)).toBe('27 Nov 2026');
    expect(translatorFor('fi').formatDate(iso)).toBe('27.11.2026');
    expect(translatorFor('en').formatNumber(12345)).toBe('12,345');
    expect(translatorFor('fi').formatNumber(12345)).toBe('12\u00a0345');
  });

  it('says how long ago something happened, in words', () => {
    const now = Date.parse('2026-11-27T12:00:00.000Z');
    expect(translatorFor('en').formatRelative('2026-11-27T10:00:00.000Z', now)).toMatch(/^2 hr\.? ago$/);
    expect(translatorFor('en').formatRelative('2026-11-24T12:00:00.000Z', now)).toBe('3 days ago');
    expect(translatorFor('fi').formatRelative('2026-11-24T12:00:00.000Z', now)).toBe('3 pv sitten');
  });

  it('says when a wait ends in whole minutes, rounded up, and "in a minute" for a minute or less', () => {
    const [en, fi] = [translatorFor('en'), translatorFor('fi')];
    expect([1, 59, 60, 61, 700, 900].map((seconds) => en.formatWait(seconds))).toEqual([
      'in a minute',
      'in a minute',
      'in a minute',
      'in 2 minutes',
      'in 12 minutes',
      'in 15 minutes',
    ]);
    expect([30, 700].map((seconds) => fi.formatWait(seconds))).toEqual([
      'minuutin päästä',
      '12 minuutin päästä',
    ]);
    expect(en.t('loginTooMany', { wait: en.formatWait(700) })).toBe(
      'Too many attempts. Try again in 12 minutes.',
    );
    expect(fi.t('loginTooMany', { wait: fi.formatWait(700) })).toBe(
      'Liian monta yritystä. Yritä uudelleen 12 minuutin päästä.',
    );
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('{rows} rows of {total}', { rows: 3 })).toBe('3 rows of {total}');
    expect(translatorFor('fi').t('exportRows', { rows: '1 200' })).toBe('1 200 riviä tähän mennessä');
  });
});
