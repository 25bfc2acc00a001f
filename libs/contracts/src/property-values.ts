import type { FieldErrors } from './errors.js';
import { parseIsoInstant } from './filter-values.js';
import type { PropertyOption, PropertyType } from './filters.js';

/**
 * Problems with custom property values (of a contact or a ticket) against the account's definitions,
 * under `properties.<name>`; empty when all are valid. `null` clears a value.
 */
export function propertyValueProblems(
  values: Record<string, unknown>,
  definitions: readonly { name: string; type: PropertyType; options?: readonly PropertyOption[] | null }[],
  what: string,
): FieldErrors {
  const problems: FieldErrors = {};
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  for (const [name, value] of Object.entries(values)) {
    const path = `properties.${name}`;
    const definition = byName.get(name);
    if (!definition) {
      problems[path] = [`"${name}" is not a ${what} property of this account`];
      continue;
    }
    if (value === null) continue;
    const options = definition.options ?? [];
    const ok =
      definition.type === 'string'
        ? typeof value === 'string'
        : definition.type === 'number'
          ? typeof value === 'number' && Number.isFinite(value)
          : definition.type === 'boolean'
            ? typeof value === 'boolean'
            : definition.type === 'date'
              ? typeof value === 'string' && parseIsoInstant(value) !== undefined
              : typeof value === 'string' && options.some((option) => option.value === value);
    if (!ok) {
      problems[path] = [
        definition.type === 'enumeration'
          ? `must be one of ${options.map((o) => o.value).join(', ')}`
          : `must be a ${definition.type === 'string' ? 'text' : definition.type}`,
      ];
    }
  }
  return problems;
}
