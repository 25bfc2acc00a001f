import type { Filter, FilterCondition } from '@helpdesk/contracts';
import {
  FilterLimits,
  operatorsFor,
  readBoolean,
  readInstant,
  readNumber,
  readOperands,
  readOptionValue,
  readText,
  utcDay,
} from '@helpdesk/contracts';
import { AppError, decodeCursor, encodeCursor, isIsoInstant, isUuid } from '@helpdesk/kit';
import type { TicketProperty } from './ticket-properties.js';

/**
 * SQL for the portal's ticket list (P1, P4): ticket visibility (S7) and the customer's filters as
 * SQL with the exact semantics of the in-memory filter evaluator (identity's `contact-filter.ts`),
 * the ticket permissions (S4) as an always-on scope, search, and one keyset page in any sort order.
 *
 * Every value travels as a `$n` parameter; the only SQL text taken from definitions is the trusted
 * built-in column SQL of `ticket-properties.ts`. Nothing a request can contain makes PostgreSQL
 * raise an error: values that do not parse are read as unknown, exactly as the evaluator does. A
 * condition's own values are read in JavaScript with the filter model's readers
 * (`@helpdesk/contracts`' `filter-values.ts`), the same ones the evaluator uses.
 *
 * How a property's value reads (SQL NULL is the evaluator's "unknown"):
 * - string: trimmed of the characters JavaScript's `trim()` removes, lower-cased with `lower()`
 *   (the condition's text too, in SQL, so both sides fold alike), blank is unknown. A custom value
 *   that is a JSON number or boolean reads as its JavaScript text (`42`, `1.5`, `true`).
 * - enumeration: the text exactly as stored, empty is unknown; pipeline and stage compare ids.
 * - number: custom values only, as float8 like a JavaScript number: JSON numbers, and strings that
 *   match the evaluator's decimal pattern (a JSON number beyond ±1.8e308 is unknown, like Infinity).
 * - date: built-in columns are instants; a custom value must be an ISO date or date-time string
 *   (the evaluator's pattern and range checks, fractions truncated to milliseconds), read as
 *   milliseconds since the epoch in SQL. `eq` / `neq` compare the UTC day through
 *   [day start, next day start) bounds computed here; `gt` / `lt` compare instants strictly.
 * - boolean: JSON `true` / `false` and the strings `"true"` / `"false"`.
 * Fail-closed like the evaluator: a condition on an undefined property, with an operator its type
 * does not allow or with a value that does not read as the type matches nothing (not even `neq`);
 * an empty group matches nothing; no groups at all match everything.
 *
 * Known differences from the evaluator, all on values no form writes: `lower()` follows the
 * database's ctype (it agrees with `toLowerCase()` on Latin, Greek and Cyrillic letters, not on
 * `İ` or a word-final `Σ`); a number string longer than 1000 characters or with an exponent of more
 * than three digits reads as unknown (the evaluator reads `"1e-1000"` as 0); a JSON number read as
 * text reads as unknown when JavaScript would print it with an exponent or it has more than 15
 * significant digits (`1e21`, `0.0000001`).
 */

/** Collects the parameters of one statement; `add` returns the placeholder of the value it stored. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Compiles a filter to a boolean SQL expression that is never NULL; parameters go to `params`. */
export function compileFilter(
  filter: Filter,
  definitions: readonly TicketProperty[],
  params: SqlParams,
): string {
  if (filter.groups.length === 0) return 'true';
  // The last definition of a name wins, as in the evaluator's map.
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  // Everything is decided before anything is bound: PostgreSQL rejects a parameter it does not use.
  const groups = filter.groups.map((group) => planGroup(group, byName));
  if (groups.includes(true)) return 'true';
  const live = groups.filter((group): group is Plan[] => group !== false);
  if (live.length === 0) return 'false';
  const sql = live.map((plans) => {
    const conditions = plans.map((plan) => plan(params));
    return conditions.length === 1 ? conditions[0] : `(${conditions.join(' and ')})`;
  });
  return sql.length === 1 ? sql[0] : `(${sql.join(' or ')})`;
}

/** The conditions of a group, to bind; false when it matches nothing, true when it matches everything. */
function planGroup(
  group: readonly FilterCondition[],
  byName: ReadonlyMap<string, TicketProperty>,
): Plan[] | boolean {
  if (group.length === 0) return false;
  const plans = group.map((condition) => planCondition(condition, byName));
  if (plans.includes(false)) return false;
  const unbound = plans.filter((plan): plan is Plan => plan !== true);
  return unbound.length === 0 ? true : unbound;
}

/** How a property's value reads in SQL: an expression that is NULL exactly when the evaluator reads "unknown". */
type Read =
  /** Trimmed, lower-cased text (string properties). */
  | { as: 'folded'; sql: string }
  /** Text as stored (enumerations). */
  | { as: 'exact'; sql: string }
  /** A uuid column (enumerations of ids). */
  | { as: 'uuid'; sql: string }
  | { as: 'number'; sql: string }
  /** A timestamptz column. */
  | { as: 'instant'; sql: string }
  /** Milliseconds since the epoch, bigint (custom dates). */
  | { as: 'epochMs'; sql: string }
  | { as: 'boolean'; sql: string };

/** Binds what a condition needs and returns its SQL. */
type Plan = (params: SqlParams) => string;

/** How to compile a condition; false when it matches no ticket, true when it matches every one. */
function planCondition(
  condition: FilterCondition,
  byName: ReadonlyMap<string, TicketProperty>,
): Plan | boolean {
  const property = byName.get(condition.property);
  const { operator } = condition;
  if (!property || !operatorsFor(property.type).includes(operator)) return false;
  const read = (params: SqlParams) => readOf(property, params);

  if (operator === 'known') return (params) => `(${read(params).sql} is not null)`;
  if (operator === 'unknown') return (params) => `(${read(params).sql} is null)`;

  const list = operator === 'any_of' || operator === 'none_of';
  const values = readOperands(condition.value, list, (entry) => readOperand(property, entry));
  if (values === undefined) return false;
  const [first] = values;
  // An operand no ticket can hold: "is X" matches none, "is not X" every one.
  const possible = values.filter((value) => storable(property, value));
  if (possible.length === 0) return operator === 'neq' || operator === 'none_of';

  return (params) => {
    const value = read(params);
    switch (operator) {
      case 'eq':
      case 'neq': {
        const holds = equals(value, first, params);
        return operator === 'eq' ? positive(value, holds) : negative(value, holds);
      }
      case 'any_of':
      case 'none_of': {
        const holds = anyOf(value, possible, params);
        return operator === 'any_of' ? positive(value, holds) : negative(value, holds);
      }
      case 'contains':
        return positive(value, `strpos(${value.sql}, lower(${params.add(first)}::text)) > 0`);
      case 'starts_with':
        return positive(value, `starts_with(${value.sql}, lower(${params.add(first)}::text))`);
      case 'gt':
        return positive(value, `${value.sql} > ${single(value, first, params)}`);
      case 'lt':
        return positive(value, `${value.sql} < ${single(value, first, params)}`);
    }
  };
}

const bareColumn = /^[a-z_][a-z0-9_]*$/;

/** True where `holds` is, false on an unknown value; `holds` must be NULL only when the value is. */
function positive(value: Read, holds: string): string {
  return bareColumn.test(value.sql) ? `(${value.sql} is not null and ${holds})` : `coalesce(${holds}, false)`;
}

/** `neq` / `none_of`: true on an unknown value ("is not X" holds for a ticket without one). */
function negative(value: Read, holds: string): string {
  return bareColumn.test(value.sql)
    ? `(${value.sql} is null or not ${holds})`
    : `coalesce(not ${holds}, true)`;
}

/**
 * Whether a ticket could hold a value equal to (or containing) this operand. PostgreSQL text holds
 * no NUL character (binding one raises an error) and an id column only ids in canonical form.
 */
function storable(property: TicketProperty, operand: Operand): boolean {
  if (typeof operand !== 'string') return true;
  return property.source.kind === 'column' && property.source.holds === 'uuid'
    ? isUuid(operand)
    : !operand.includes('\u0000');
}

function equals(value: Read, operand: Operand, params: SqlParams): string {
  if (value.as === 'instant' || value.as === 'epochMs') {
    // The operand's day in UTC, as the bounds [start, next day's start).
    const { start, end } = utcDay(operand as number);
    // Whole milliseconds: a custom date's (long) expression appears once.
    if (value.as === 'epochMs')
      return `${value.sql} between ${bound(value, start, params)} and ${bound(value, end - 1, params)}`;
    const [from, to] = [bound(value, start, params), bound(value, end, params)];
    return `(${value.sql} >= ${from} and ${value.sql} < ${to})`;
  }
  return `${value.sql} = ${single(value, operand, params)}`;
}

function anyOf(value: Read, operands: readonly Operand[], params: SqlParams): string {
  switch (value.as) {
    case 'folded':
      return `${value.sql} = any (select lower(v) from unnest(${params.add(operands)}::text[]) as v)`;
    case 'exact':
      return `${value.sql} = any (${params.add(operands)}::text[])`;
    case 'uuid':
      return `${value.sql} = any (${params.add(operands)}::uuid[])`;
    case 'number':
      return `${value.sql} = any (${params.add(operands)}::float8[])`;
    case 'instant':
    case 'epochMs':
    case 'boolean':
      // operatorsFor() offers any_of / none_of on neither dates nor booleans.
      throw new Error(`any_of does not apply to ${value.as} values`);
  }
}

/** One operand as a parameter of the read's SQL type. */
function single(value: Read, operand: Operand, params: SqlParams): string {
  switch (value.as) {
    case 'folded':
      return `lower(${params.add(operand)}::text)`;
    case 'exact':
      return `${params.add(operand)}::text`;
    case 'uuid':
      return `${params.add(operand)}::uuid`;
    case 'number':
      return `${params.add(operand)}::float8`;
    case 'instant':
    case 'epochMs':
      return bound(value, operand as number, params);
    case 'boolean':
      return `${params.add(operand)}::boolean`;
  }
}

function bound(value: Read, ms: number, params: SqlParams): string {
  return value.as === 'instant' ? `${params.add(pgTimestamp(ms))}::timestamptz` : `${params.add(ms)}::bigint`;
}

/**
 * An instant as PostgreSQL timestamptz input, exact to the millisecond for every year a filter can
 * name (0000–9999 and a day either side): `toISOString()` gives `+010000-…` and year 0, which
 * PostgreSQL reads differently, so years up to 0 are written as BC (year 0 is 1 BC).
 */
export function pgTimestamp(ms: number): string {
  const at = new Date(ms);
  const year = at.getUTCFullYear();
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${String(year > 0 ? year : 1 - year).padStart(4, '0')}-${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())}`;
  const time = `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}.${String(at.getUTCMilliseconds()).padStart(3, '0')}`;
  return `${date} ${time}+00${year > 0 ? '' : ' BC'}`;
}

// ---- Reading values in SQL -------------------------------------------------------------------------

/** What JavaScript's `String.prototype.trim()` removes: WhiteSpace and LineTerminator. */
const whitespace = `E'${[
  0x9, 0xa, 0xb, 0xc, 0xd, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
  0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
]
  .map((code) => `\\u${code.toString(16).padStart(4, '0')}`)
  .join('')}'`;

const trim = (sql: string) => `btrim(${sql}, ${whitespace})`;
const folded = (sql: string) => `nullif(lower(${trim(sql)}), '')`;

function readOf(property: TicketProperty, params: SqlParams): Read {
  const { source, type } = property;
  if (source.kind === 'column') {
    if (source.holds === 'text' && type === 'string') return { as: 'folded', sql: folded(source.sql) };
    if (source.holds === 'text' && type === 'enumeration')
      return { as: 'exact', sql: `nullif(${source.sql}, '')` };
    if (source.holds === 'uuid' && type === 'enumeration') return { as: 'uuid', sql: source.sql };
    if (source.holds === 'timestamp' && type === 'date') return { as: 'instant', sql: source.sql };
    throw new Error(`property "${property.name}": a ${source.holds} column cannot hold ${type} values`);
  }
  const json = `(properties -> ${params.add(property.name)}::text)`;
  switch (type) {
    case 'string':
      return { as: 'folded', sql: folded(jsonText(json)) };
    case 'enumeration':
      return { as: 'exact', sql: `nullif(${jsonText(json)}, '')` };
    case 'number':
      return { as: 'number', sql: jsonNumber(json) };
    case 'date':
      return { as: 'epochMs', sql: jsonDateMs(json) };
    case 'boolean':
      return {
        as: 'boolean',
        sql: `(case when ${json} in ('true', '"true"') then true when ${json} in ('false', '"false"') then false end)`,
      };
  }
}

/** A JSON scalar as the evaluator's text: strings as they are, booleans and numbers as JavaScript writes them. */
function jsonText(json: string): string {
  const n = `(${json})::numeric`;
  // Plain decimal with at most 15 significant digits in [1e-6, 1e21): JavaScript prints exactly
  // these digits without trailing zeros, which is what trim_scale() leaves.
  const number = `case when ${n} = 0 then '0'
      when abs(${n}) >= 0.000001 and abs(${n}) < 1e21
        and length(btrim(translate(trim_scale(abs(${n}))::text, '.', ''), '0')) <= 15
      then trim_scale(${n})::text end`;
  return `(case jsonb_typeof(${json}) when 'string' then ${json} #>> '{}' when 'boolean' then ${json} #>> '{}'
      when 'number' then ${number} end)`;
}

/** `readNumber`'s decimal pattern (`@helpdesk/contracts`), limited to numbers PostgreSQL's numeric input always accepts. */
const decimal = `'^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?0*[0-9]{1,3})?$'`;

function jsonNumber(json: string): string {
  const text = trim(`${json} #>> '{}'`);
  return `(case jsonb_typeof(${json}) when 'number' then ${float(`(${json})::numeric`)}
      when 'string' then case when ${text} ~ ${decimal} and length(${text}) <= 1000 then ${float(`${text}::numeric`)} end
    end)`;
}

/**
 * A numeric as the double JavaScript's `Number()` would give, without the errors of a plain cast:
 * beyond the largest double (where rounding reaches Infinity) it is unknown, below the smallest
 * denormal's half it is 0.
 */
function float(n: string): string {
  return `case when abs(${n}) >= 1.797693134862315807937289714053e308 then null
      when abs(${n}) < 2.4703282292062328e-324 then 0::float8 else (${n})::float8 end`;
}

/** `parseIsoInstant`'s ISO date / date-time pattern (`@helpdesk/contracts`: `T` or a space, optional seconds, fraction and zone). */
const isoInstant = `'^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.]([0-9]{1,9}))?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$'`;

/**
 * Milliseconds since the epoch of an ISO date or date-time string, NULL when it is not a real one:
 * the calendar is checked before `make_date` sees it, and the date is moved 400 years (146097 days,
 * one Gregorian cycle) forward and back so year 0000 works as it does in JavaScript.
 */
function jsonDateMs(json: string): string {
  const daysInMonth = `case when p.mo = 2 then case when (p.y % 4 = 0 and p.y % 100 <> 0) or p.y % 400 = 0 then 29 else 28 end
        when p.mo in (4, 6, 9, 11) then 30 else 31 end`;
  return `(select case
      when p.mo between 1 and 12 and p.d between 1 and ${daysInMonth}
        and p.h <= 23 and p.mi <= 59 and p.s <= 59 and p.oh <= 23 and p.om <= 59
      then ((make_date(p.y + 400, p.mo, 1) - date '1970-01-01') - 146097 + p.d - 1)::bigint * 86400000
        + ((p.h * 60 + p.mi) * 60 + p.s) * 1000 + p.ms - p.sign * (p.oh * 60 + p.om) * 60000
    end
    from (select r.m[1]::int as y, r.m[2]::int as mo, r.m[3]::int as d, coalesce(r.m[4], '0')::int as h,
        coalesce(r.m[5], '0')::int as mi, coalesce(r.m[6], '0')::int as s,
        rpad(coalesce(r.m[7], ''), 3, '0')::int as ms,
        case when left(r.m[8], 1) = '-' then -1 else 1 end as sign,
        case when r.m[8] is null or upper(r.m[8]) = 'Z' then 0
          else left(replace(substr(r.m[8], 2), ':', ''), 2)::int end as oh,
        case when r.m[8] is null or upper(r.m[8]) = 'Z' then 0
          else right(replace(substr(r.m[8], 2), ':', ''), 2)::int end as om
      from (select regexp_match(${trim(`${json} #>> '{}'`)}, ${isoInstant}, 'i') as m
        where jsonb_typeof(${json}) = 'string') as r) as p)`;
}

// ---- Reading a condition's values in JavaScript, with the readers of the filter model ---------------

type Operand = string | number | boolean;

function readOperand(property: TicketProperty, value: string | number | boolean): Operand | undefined {
  switch (property.type) {
    case 'string':
      // Lower-cased in SQL, like the stored value.
      return readText(value);
    case 'number':
      return readNumber(value);
    case 'date':
      return readInstant(value);
    case 'enumeration':
      return readOptionValue(value);
    case 'boolean':
      return readBoolean(value);
  }
}

// ---- The ticket list -----------------------------------------------------------------------------

/** Whose tickets a contact sees (S4): their own, plus their primary company's when allowed and asked for. */
export interface TicketScope {
  contactId: string;
  /** The contact's primary company. */
  companyId: string | null;
  /** The portal's permissions let this contact see company tickets (mode company, or segment and a member). */
  seesCompanyTickets: boolean;
  /** The list's Show switch: Organization tickets / Owned by me. */
  show: 'organization' | 'mine';
}

/** Internal users (agents, admins) see every ticket of the account. */
export const WHOLE_ACCOUNT = 'whole account';

export interface TicketSort {
  property: string;
  direction: 'asc' | 'desc';
}

/** Where the previous page ended: its last row's sort value and id (a decoded cursor). */
export interface TicketListAfter {
  value: string | number | null;
  id: string;
}

export interface TicketListInput {
  accountId: string;
  scope: TicketScope | typeof WHOLE_ACCOUNT;
  /** Only this ticket: the list's rules decide whether the viewer may open it (the portal's detail page). */
  ticketId?: string;
  /** The portal's ticket visibility filter (S7). */
  visibility: Filter;
  /** The customer's filters (P1). */
  filters: Filter;
  search?: string;
  sort: TicketSort;
  after?: TicketListAfter;
  /** Rows per page (the statement returns one more); null: every matching row, no LIMIT (exports). */
  limit: number | null;
  /**
   * Only these fields of each row (an export reads a few; PostgreSQL then skips formatting and
   * sending the rest). Default: all of them but the content, and the sort value for the next
   * page's cursor.
   */
  fields?: readonly (keyof TicketListRow)[];
  definitions: readonly TicketProperty[];
}

/** A row of the list as the statement returns it; timestamps are ISO 8601 in UTC with milliseconds. */
export interface TicketListRow {
  id: string;
  subject: string;
  /** The description: only when asked for (no list shows it; an export may). */
  content?: string;
  priority: string | null;
  pipelineId: string;
  stageId: string;
  closed: boolean;
  ownerId: string | null;
  ownerFirstName: string | null;
  ownerLastName: string | null;
  requesterContactId: string | null;
  requesterName: string | null;
  requesterEmail: string | null;
  companyId: string | null;
  source: string;
  properties: Record<string, unknown> | null;
  createdAt: string;
  lastActivityAt: string;
  closedAt: string | null;
  /** The row's value of the sort property, for the next page's cursor. */
  sortValue: string | number | null;
}

/** A timestamptz column as ISO 8601 text in UTC with milliseconds (the precision the tables store). */
export const isoUtc = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Each field of a list row and the SQL that reads it (aliases are the row's property names). */
const listColumnSql: Record<Exclude<keyof TicketListRow, 'sortValue'>, string> = {
  id: 'id',
  subject: 'subject',
  content: 'content',
  priority: 'priority',
  pipelineId: 'pipeline_id',
  stageId: 'stage_id',
  closed: 'closed',
  ownerId: 'owner_id',
  ownerFirstName: 'owner_first_name',
  ownerLastName: 'owner_last_name',
  requesterContactId: 'requester_contact_id',
  requesterName: 'requester_name',
  requesterEmail: 'requester_email',
  companyId: 'company_id',
  source: 'source',
  properties: 'properties',
  createdAt: isoUtc('created_at'),
  lastActivityAt: isoUtc('last_activity_at'),
  closedAt: isoUtc('closed_at'),
};
/** What a page of the list reads: every field but the content, which may be long and no list shows. */
const defaultListFields = (Object.keys(listColumnSql) as Exclude<keyof TicketListRow, 'sortValue'>[]).filter(
  (field) => field !== 'content',
);

/** How a sort property orders rows: its SQL value, what a cursor carries and how it is read back. */
interface SortKey {
  sql: string;
  /** What the row returns as `sortValue`. */
  select: string;
  cursor: 'text' | 'number' | 'integer' | 'instant';
  cast: string;
  /** Never NULL: ordered without a NULLS clause, so an index on the column can serve the order. */
  notNull?: boolean;
}

/**
 * One keyset page of the tickets a contact may see (internal users: of the whole account): the
 * scope, the visibility filter, the customer's filters and search, ordered by the sort property with
 * unknown values last in both directions and the id (in the same direction) as the tie breaker;
 * `limit + 1` rows, so the caller knows whether there is a next page (`ticketListPage`).
 *
 * Search: `search @@ websearch_to_tsquery('simple', term)` finds whole words (any order, "quoted
 * phrases", -exclusions) in the subject, content and message text; `subject ILIKE %term%` adds
 * parts of words in the subject (the term with `%`, `_` and `\` escaped). No stemming: the
 * portal's languages differ and `simple` treats them alike.
 */
export function compileTicketList(input: TicketListInput): { sql: string; params: unknown[] } {
  const { accountId, scope, ticketId, sort, after, limit } = input;
  const viewer = scope === WHOLE_ACCOUNT ? null : scope;
  const ids = {
    accountId,
    ticketId: ticketId ?? null,
    'scope.contactId': viewer ? viewer.contactId : null,
    'scope.companyId': viewer ? viewer.companyId : null,
  };
  for (const [field, id] of Object.entries(ids)) {
    if (id !== null && !isUuid(id)) throw new AppError('VALIDATION_FAILED', `${field} must be a UUID`);
  }
  if (scope !== WHOLE_ACCOUNT && !viewer?.contactId)
    throw new AppError('VALIDATION_FAILED', 'a scope needs the viewer’s contact');
  if (limit !== null && (!Number.isInteger(limit) || limit < 1))
    throw new AppError('VALIDATION_FAILED', 'limit must be a positive integer');
  const property = input.definitions.findLast((definition) => definition.name === sort.property);
  if (!property?.sortable)
    throw new AppError('VALIDATION_FAILED', `tickets cannot be sorted by "${sort.property}"`);
  if (sort.direction !== 'asc' && sort.direction !== 'desc')
    throw new AppError('VALIDATION_FAILED', 'the sort direction must be asc or desc');

  const params = new SqlParams();
  const where = [`account_id = ${params.add(accountId)}::uuid`];
  if (viewer) {
    const own = `requester_contact_id = ${params.add(viewer.contactId)}::uuid`;
    where.push(
      viewer.seesCompanyTickets && viewer.show === 'organization' && viewer.companyId !== null
        ? `(${own} or company_id = ${params.add(viewer.companyId)}::uuid)`
        : own,
    );
  }
  if (ticketId !== undefined) where.push(`id = ${params.add(ticketId)}::uuid`);
  for (const filter of [input.visibility, input.filters]) {
    const compiled = compileFilter(filter, input.definitions, params);
    if (compiled !== 'true') where.push(compiled);
  }
  // PostgreSQL text cannot hold NUL; a NUL cannot be in any ticket, so it is dropped from the term.
  const term = input.search?.replaceAll('\u0000', '').trim();
  if (term && term.length > FilterLimits.textLength)
    throw new AppError('VALIDATION_FAILED', `search must be at most ${FilterLimits.textLength} characters`);
  if (term) {
    const words = params.add(term);
    const pattern = params.add(`%${term.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
    where.push(
      `(search @@ websearch_to_tsquery('simple', ${words}::text) or subject ilike ${pattern}::text)`,
    );
  }

  const key = sortKey(property, params);
  const direction = sort.direction;
  if (after) where.push(keyset(key, direction, after, params));

  const fields = input.fields ?? [...defaultListFields, 'sortValue'];
  const selected = fields.map((field) =>
    field === 'sortValue' ? `${key.select} as "sortValue"` : `${listColumnSql[field]} as "${field}"`,
  );
  const sql = `select ${selected.join(', ')}
  from tickets.ticket
  where ${where.join('\n    and ')}
  order by ${key.sql} ${direction}${key.notNull ? '' : ' nulls last'}, id ${direction}${
    limit === null ? '' : `\n  limit ${params.add(limit + 1)}`
  }`;
  return { sql, params: params.values };
}

function sortKey(property: TicketProperty, params: SqlParams): SortKey {
  const value = readOf(property, params);
  switch (value.as) {
    case 'folded':
      return { sql: value.sql, select: value.sql, cursor: 'text', cast: 'text' };
    case 'exact':
    case 'uuid': {
      // Enumerations sort in the order of their options (Low, Medium, High, Urgent; a pipeline's
      // stages as the admin ordered them); values that are not options sort with the unknown ones.
      const options = (property.options ?? []).map((option) => option.value);
      if (value.as === 'exact' && options.length === 0)
        return { sql: value.sql, select: value.sql, cursor: 'text', cast: 'text' };
      const list =
        value.as === 'uuid'
          ? `${params.add(options.filter((option) => isUuid(option)))}::uuid[]`
          : `${params.add(options)}::text[]`;
      const sql = `array_position(${list}, ${value.sql})`;
      return { sql, select: sql, cursor: 'integer', cast: 'int' };
    }
    case 'number':
      return { sql: value.sql, select: value.sql, cursor: 'number', cast: 'float8' };
    case 'instant': {
      const notNull = property.source.kind === 'column' && property.source.notNull === true;
      return { sql: value.sql, select: isoUtc(value.sql), cursor: 'instant', cast: 'timestamptz', notNull };
    }
    case 'epochMs':
      return { sql: value.sql, select: `(${value.sql})::float8`, cursor: 'integer', cast: 'bigint' };
    case 'boolean': {
      const sql = `(${value.sql})::int`;
      return { sql, select: sql, cursor: 'integer', cast: 'int' };
    }
  }
}

/** Rows after the cursor in `order by key dir nulls last, id dir`. */
function keyset(key: SortKey, direction: 'asc' | 'desc', after: TicketListAfter, params: SqlParams): string {
  if (!isUuid(after.id) || !cursorValueFits(key, after.value))
    throw new AppError('INVALID_CURSOR', 'The "after" cursor does not fit this sort order');
  const beyond = direction === 'asc' ? '>' : '<';
  if (after.value === null) return `(${key.sql} is null and id ${beyond} ${params.add(after.id)}::uuid)`;
  const value = `${params.add(after.value)}::${key.cast}`;
  const id = `${params.add(after.id)}::uuid`;
  const rows = `(${key.sql}, id) ${beyond} (${value}, ${id})`;
  return key.notNull ? rows : `(${rows} or ${key.sql} is null)`;
}

function cursorValueFits(key: SortKey, value: string | number | null): boolean {
  if (value === null) return true;
  switch (key.cursor) {
    case 'text':
      return typeof value === 'string' && !value.includes('\u0000');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'instant':
      return typeof value === 'string' && isIsoInstant(value);
  }
}

/** The first `limit` rows, and where the next page starts when there is one. */
export function ticketListPage(
  rows: readonly TicketListRow[],
  limit: number,
): { rows: TicketListRow[]; after: TicketListAfter | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    after: rows.length > limit && last ? { value: last.sortValue, id: last.id } : null,
  };
}

/** An opaque cursor for the page after `after`, tied to the sort it was made for. */
export function encodeTicketListCursor(sort: TicketSort, after: TicketListAfter): string {
  return encodeCursor([sort.property, sort.direction, JSON.stringify(after.value), after.id]);
}

/** Reads a cursor of `encodeTicketListCursor`; INVALID_CURSOR when it is not one, or was made for another sort. */
export function decodeTicketListCursor(sort: TicketSort, cursor: string): TicketListAfter {
  const [, , value, id] = decodeCursor(
    cursor,
    4,
    ([property, direction, json, ticketId]) =>
      property === sort.property && direction === sort.direction && isUuid(ticketId) && isScalar(json),
  );
  return { value: JSON.parse(value) as string | number | null, id };
}

function isScalar(json: string): boolean {
  try {
    const value: unknown = JSON.parse(json);
    return value === null || typeof value === 'string' || typeof value === 'number';
  } catch {
    return false;
  }
}
