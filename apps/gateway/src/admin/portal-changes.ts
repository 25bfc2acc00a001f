/** One changed setting of an audit entry: its dotted key and its value before and after, shortened. */
export interface SettingChange {
  key: string;
  before: string;
  after: string;
}

/** Values longer than this are cut, so one long template does not fill the audit page. */
export const MAX_VALUE_LENGTH = 120;
const ABSENT = '(none)';

/**
 * Every leaf value of a setting by its dotted path (`columns.2.label`); an empty object or list is
 * a leaf of its own, so that emptying a list shows as a change.
 */
function leaves(value: unknown, path: string, into: Map<string, unknown>): Map<string, unknown> {
  const entries = Array.isArray(value)
    ? value.map((item, index): [string, unknown] => [String(index), item])
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : null;
  if (entries === null || entries.length === 0) {
    if (path) into.set(path, value);
    return into;
  }
  for (const [key, item] of entries) leaves(item, path ? `${path}.${key}` : key, into);
  return into;
}

const shorten = (text: string) =>
  text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;

/** A value as the audit page shows it: JSON, so that `"5"` and `5`, `null` and `"null"` differ. */
const shown = (value: unknown) => (value === undefined ? ABSENT : shorten(JSON.stringify(value)));

/**
 * What an audit entry changed: the keys whose values differ between the section's settings before
 * and after the save, in the order the settings list them. A first save (nothing before) lists
 * every key as new.
 */
export function changesBetween(before: unknown, after: unknown): SettingChange[] {
  const old = leaves(before, '', new Map());
  const now = leaves(after, '', new Map());
  const keys = [...new Set([...now.keys(), ...old.keys()])];
  return keys
    .filter((key) => JSON.stringify(old.get(key)) !== JSON.stringify(now.get(key)))
    .map((key) => ({ key, before: shown(old.get(key)), after: shown(now.get(key)) }));
}
