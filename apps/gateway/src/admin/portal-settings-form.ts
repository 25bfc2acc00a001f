import {
  RECOMMENDED_COLUMNS,
  type PipelineView,
  type PortalSection,
  type PortalView,
} from '@helpdesk/contracts';
import { fieldList, formField } from '../http/form-fields.js';
import { parseFilter, type FilterProperty } from './filter-form.js';

/**
 * The admin settings page's forms turned into the settings identity validates (SPEC S1–S14). The
 * forms are flat (`name`, `column.property` repeated in order, `closedStage.<pipelineId>`); what they
 * produce is passed on as it is, so identity's validation is the one that speaks (a wrong value
 * here becomes a field error there, never a silent default).
 */
export type FormBody = Record<string, unknown>;

const checked = (body: FormBody, name: string) => formField(body, name) === 'on';

/** What a section's form needs besides the portal: the choices its pickers offer. */
export interface SettingsChoices {
  pipelines: PipelineView[];
  /** What the segment filter (S4) filters on. */
  contactProperties: FilterProperty[];
  /** What the visibility filter (S7) filters on. */
  ticketProperties: FilterProperty[];
  /** The logo the theme form uploaded, as stored and served by the gateway (never a URL typed into the form). */
  uploadedLogoUrl?: string | null;
}

/** A column move or removal asked for by a button of the columns table (`action`), applied before saving. */
export type ColumnAction = { kind: 'reset' } | { kind: 'remove' | 'up' | 'down'; index: number };

export function columnActionOf(action: string): ColumnAction | null {
  if (action === 'reset-columns') return { kind: 'reset' };
  const match = /^(remove|up|down):(\d{1,2})$/.exec(action);
  return match ? { kind: match[1] as 'remove' | 'up' | 'down', index: Number(match[2]) } : null;
}

type Column = { property: string; label: string };

export function applyColumnAction(columns: Column[], action: ColumnAction | null): Column[] {
  if (!action) return columns;
  if (action.kind === 'reset') return RECOMMENDED_COLUMNS.map((column) => ({ ...column }));
  const result = [...columns];
  const { index } = action;
  if (index >= result.length) return result;
  if (action.kind === 'remove') result.splice(index, 1);
  const swapWith = action.kind === 'up' ? index - 1 : action.kind === 'down' ? index + 1 : -1;
  if (swapWith >= 0 && swapWith < result.length)
    [result[index], result[swapWith]] = [result[swapWith], result[index]];
  return result;
}

/** The columns as the form lists them, plus the one being added (when a property is picked). */
function columnsOf(body: FormBody): Column[] {
  const properties = fieldList(body, 'column.property');
  const labels = fieldList(body, 'column.label');
  const columns = properties.map((property, index) => ({ property, label: (labels[index] ?? '').trim() }));
  const added = formField(body, 'newColumn.property');
  if (added) columns.push({ property: added, label: formField(body, 'newColumn.label').trim() });
  return columns;
}

/** `inbox:<id>` / `help_desk:<id>` from the destination picker; empty is none. */
function destinationOf(value: string): unknown {
  if (!value) return null;
  const [kind, id] = value.split(':', 2);
  return { kind, id };
}

/** A whole number typed into a field; anything else is passed as typed so that validation names it. */
function wholeNumber(value: string): unknown {
  return /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : value;
}

/**
 * A colour as typed: `#1A5FB4`, `1a5fb4` and `#15b` all become `#1a5fb4`-style; anything else is
 * passed as typed so that validation names it.
 */
export function hexColour(value: string): string {
  const typed = value.trim();
  const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(typed);
  if (!match) return typed;
  const digits = match[1].toLowerCase();
  return `#${digits.length === 3 ? [...digits].map((digit) => digit + digit).join('') : digits}`;
}

type SectionForms = {
  [S in PortalSection]?: (body: FormBody, portal: PortalView, choices: SettingsChoices) => unknown;
};

/** Per section: the settings its form posts. Sections without a form here are not edited on this page. */
export const sectionForms: SectionForms = {
  general: (body) => ({
    name: formField(body, 'name'),
    slug: formField(body, 'slug'),
    enabled: checked(body, 'enabled'),
    destination: destinationOf(formField(body, 'destination')),
  }),
  supportForm: (body) => ({
    connected: checked(body, 'connected'),
    menuText: formField(body, 'menuText'),
    headerText: formField(body, 'headerText'),
    formId: formField(body, 'formId') || null,
  }),
  theme: (body, portal, { uploadedLogoUrl }) => ({
    primaryColor: hexColour(formField(body, 'primaryColor')),
    backgroundColor: hexColour(formField(body, 'backgroundColor')),
    surfaceColor: hexColour(formField(body, 'surfaceColor')),
    textColor: hexColour(formField(body, 'textColor')),
    fontFamily: formField(body, 'fontFamily'),
    cornerRadius: wholeNumber(formField(body, 'cornerRadius')),
    // A new upload replaces the logo; "remove" drops it; otherwise the stored one stays.
    logoUrl: uploadedLogoUrl ?? (checked(body, 'removeLogo') ? null : portal.theme.logoUrl),
  }),
  permissions: (body, _portal, { contactProperties }) => ({
    mode: formField(body, 'mode'),
    segment: parseFilter(body, 'segment', contactProperties, formField(body, 'action')),
  }),
  ticketDisplay: (body, _portal, { ticketProperties }) => ({
    label: formField(body, 'label'),
    visibility: parseFilter(body, 'visibility', ticketProperties, formField(body, 'action')),
    columns: applyColumnAction(columnsOf(body), columnActionOf(formField(body, 'action'))),
    ownerDisplay: formField(body, 'ownerDisplay'),
    ownerAlias: formField(body, 'ownerAlias').trim() || null,
    showStages: checked(body, 'showStages'),
  }),
  ticketActions: (body, _portal, { pipelines }) => ({
    replyToClosed: checked(body, 'replyToClosed'),
    allowClose: checked(body, 'allowClose'),
    closedStages: Object.fromEntries(
      pipelines
        .map((pipeline) => [pipeline.id, formField(body, `closedStage.${pipeline.id}`)] as const)
        .filter(([, stage]) => stage !== ''),
    ),
  }),
  access: (body) => {
    const authentication = formField(body, 'authentication');
    const secret = formField(body, 'oidc.clientSecret');
    return {
      mode: formField(body, 'mode'),
      accessGroupIds: fieldList(body, 'accessGroupIds'),
      authentication,
      oidc:
        authentication === 'oidc'
          ? {
              issuer: formField(body, 'oidc.issuer').trim(),
              clientId: formField(body, 'oidc.clientId').trim(),
              // Write-only: an empty field keeps the stored secret.
              ...(secret ? { clientSecret: secret } : {}),
            }
          : null,
      sessionIdleMinutes: wholeNumber(formField(body, 'sessionIdleMinutes')),
    };
  },
  consent: (body, portal) => ({
    notices: portal.domains
      .map((domain) => ({
        domainId: domain.id,
        text: formField(body, `consent.${domain.id}.text`).trim(),
        checkboxText: formField(body, `consent.${domain.id}.checkboxText`).trim(),
      }))
      // A domain left blank has no notice (registration there shows none).
      .filter((notice) => notice.text || notice.checkboxText),
  }),
};

/** The settings a form would save, shown back in the form when identity refused them. */
export type SubmittedSettings = Partial<{ [S in PortalSection]: unknown }>;

/** Identity's field errors (`settings.columns.3.label`) by the section's own paths (`columns.3.label`). */
export function sectionErrors(fields: Record<string, string[]> | undefined): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [path, messages] of Object.entries(fields ?? {})) {
    const key = path.replace(/^settings\.?/, '') || '(section)';
    errors[key] = messages.join('; ');
  }
  return errors;
}
