import type { Language } from '@helpdesk/contracts';
import { en, type MessageKey, type Messages } from './i18n/en.js';
import { fi } from './i18n/fi.js';

export type { MessageKey, Messages };

/** Every language the portal ships, with its catalogue; a portal page is in its domain's language. */
export const catalogues: Record<Language, Messages> = { en, fi };

/** BCP 47 locales for Intl: British English writes dates as "27 Nov 2026", as the SPEC's layout does. */
const locales: Record<Language, string> = { en: 'en-GB', fi: 'fi-FI' };

/** Fills `{name}` placeholders; a placeholder without a value stays as it is, visibly. */
export const format = (template: string, values: Record<string, string | number>): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    values[name] === undefined ? whole : String(values[name]),
  );

/** What a page needs to speak one language: its messages and Intl formatters for its locale. */
export class Translator {
  readonly messages: Messages;
  readonly locale: string;
  private readonly date: Intl.DateTimeFormat;
  private readonly dateTime: Intl.DateTimeFormat;
  private readonly number: Intl.NumberFormat;
  private readonly relative: Intl.RelativeTimeFormat;
  private readonly later: Intl.RelativeTimeFormat;

  constructor(readonly language: Language) {
    this.messages = catalogues[language];
    this.locale = locales[language];
    this.date = new Intl.DateTimeFormat(this.locale, { day: 'numeric', month: 'short', year: 'numeric' });
    this.dateTime = new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeStyle: 'short' });
    this.number = new Intl.NumberFormat(this.locale);
    this.relative = new Intl.RelativeTimeFormat(this.locale, { numeric: 'auto', style: 'short' });
    this.later = new Intl.RelativeTimeFormat(this.locale, { numeric: 'always', style: 'long' });
  }

  t(key: MessageKey, values?: Record<string, string | number>): string {
    return values ? format(this.messages[key], values) : this.messages[key];
  }

  formatDate(iso: string): string {
    return this.date.format(new Date(iso));
  }

  formatDateTime(iso: string): string {
    return this.dateTime.format(new Date(iso));
  }

  formatNumber(value: number): string {
    return this.number.format(value);
  }

  /** "2 hr. ago", "yesterday", "3 days ago"; older than a month: the date. */
  formatRelative(iso: string, now = Date.now()): string {
    const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
    const abs = Math.abs(seconds);
    if (abs < 60) return this.relative.format(0, 'minute');
    if (abs < 3_600) return this.relative.format(Math.round(seconds / 60), 'minute');
    if (abs < 86_400) return this.relative.format(Math.round(seconds / 3_600), 'hour');
    if (abs < 30 * 86_400) return this.relative.format(Math.round(seconds / 86_400), 'day');
    return this.formatDate(iso);
  }

  /**
   * When a wait of this many seconds ends, rounded up to whole minutes: "in 12 minutes" ("12
   * minuutin päästä"); "in a minute" for a minute or less.
   */
  formatWait(seconds: number): string {
    const minutes = Math.ceil(seconds / 60);
    return minutes <= 1 ? this.t('inAMinute') : this.later.format(minutes, 'minute');
  }

  formatBytes(bytes: number): string {
    const units = ['B', 'kB', 'MB', 'GB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    const digits = unit === 0 || value >= 10 ? 0 : 1;
    return `${new Intl.NumberFormat(this.locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
  }
}

const translators = new Map<Language, Translator>();
/** One translator per language, built once (Intl formatters are costly to create). */
export const translatorFor = (language: Language): Translator => {
  let translator = translators.get(language);
  if (!translator) translators.set(language, (translator = new Translator(language)));
  return translator;
};
