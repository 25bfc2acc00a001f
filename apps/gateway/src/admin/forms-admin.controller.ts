import {
  FORM_BUILT_IN_PROPERTIES,
  FormFieldType,
  PageRequest,
  type FormView,
  type SubmissionStatus,
} from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf } from '../auth/csrf.js';
import type { InternalViewer } from '../auth/viewer.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { formField } from '../http/form-fields.js';
import { PageViews } from '../http/page-views.js';
import { AdminErrorFilter } from './admin-error.filter.js';
import { adminLayoutData, requireAdmin } from './admin-page.js';
import {
  applyFieldAction,
  embedSnippet,
  fieldOfRow,
  fieldRowsOf,
  problemsByInput,
  rowOfField,
  rowOfTicketCreation,
  ticketCreationOf,
  ticketCreationOfRow,
  type FieldRow,
  type TicketCreationRow,
} from './form-editor.js';
import { pathId } from '../http/path-id.js';

const TYPE_TEXT: Record<FormFieldType, string> = {
  text: 'Single-line text',
  textarea: 'Multi-line text',
  email: 'Email',
  number: 'Number',
  select: 'Dropdown (select)',
  checkbox: 'Checkbox',
  file: 'File (uploads not accepted yet)',
};

const BUILT_IN_TEXT: Record<string, string> = {
  email: 'Email',
  first_name: 'First name',
  last_name: 'Last name',
  subject: 'Subject',
  content: 'Description',
  priority: 'Priority',
};

const STATUS_TEXT: Record<SubmissionStatus, string> = {
  pending: 'Pending',
  retrying: 'Retrying',
  delivered: 'Delivered',
};

const PAGE_SIZE = 25;

/** What the editor shows: the fields and settings as typed (or stored), and why a save was refused. */
interface EditorState {
  name: string;
  thankYouMessage: string;
  rows: FieldRow[];
  ticketCreation: TicketCreationRow;
  notice?: string | null;
  refused?: { message: string; problems: Record<string, string> };
}

/** The editor's inputs that show a problem of the service's next to them (see forms-edit.liquid). */
const INPUTS_SHOWN = [
  'name',
  'thankYouMessage',
  'fields',
  'ticketCreation',
  'ticketCreation.enabled',
  'ticketCreation.destination',
  'ticketCreation.pipelineId',
  'ticketCreation.stageId',
];
const FIELD_INPUTS_SHOWN = ['name', 'label', 'type', 'required', 'helpText', 'property', 'options'];

/** What the refusal's alert says: the problems are marked at their inputs, or the service's words for those that cannot be. */
function refusedText(message: string, problems: Record<string, string>, fieldCount: number): string {
  const shown = new Set(INPUTS_SHOWN);
  for (let index = 0; index < fieldCount; index++)
    for (const input of FIELD_INPUTS_SHOWN) shown.add(`fields.${index}.${input}`);
  const keys = Object.keys(problems);
  return keys.length && keys.every((key) => shown.has(key))
    ? 'Not saved: fix the marked fields below.'
    : `Not saved: ${message}`;
}

/** A stored value as text; the email field's is always a string once validated. */
const stringOf = (value: unknown) => (typeof value === 'string' ? value : '');

const formId = pathId('FORM_NOT_FOUND', 'Form');

/** The cursor of a page link; anything malformed is the first page. */
const cursorOf = (req: Request) => {
  const parsed = PageRequest.shape.after.safeParse(req.query.after);
  return parsed.success ? parsed.data : undefined;
};

const destinationText = (kind: string, name: string) =>
  `${name} (${kind === 'help_desk' ? 'help desk' : 'inbox'})`;

/**
 * Forms (SPEC S5): the list, a new form from the support template or blank, the editor (name,
 * thank-you message, fields, automatic ticket creation and its destination, the embed code), the
 * submissions with their delivery, and deleting with a confirmation. Every change goes to the forms
 * service, which checks the whole form; what it refuses comes back inline, as it was typed.
 */
@ApiExcludeController()
@UseFilters(AdminErrorFilter)
@Controller('admin/forms')
export class FormsAdminController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly views: PageViews,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'forms');
    const deleted = typeof req.query.deleted === 'string' ? req.query.deleted.slice(0, 200) : '';
    await this.renderList(req, res, user, { notice: deleted ? `${deleted} was deleted.` : null });
  }

  @Post()
  async create(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'forms');
    assertCsrf(req);
    const name = formField(req.body, 'name').trim();
    const template = formField(req.body, 'template');
    const request = { accountId: user.accountId, ...(name ? { name } : {}) };
    try {
      const form =
        template === 'blank'
          ? await this.rpc.send('forms.create', {
              ...request,
              name,
              // A form needs a required email field for the contact; the rest is the admin's.
              fields: [
                {
                  name: 'email',
                  label: 'Email',
                  type: 'email',
                  required: true,
                  property: { object: 'contact', name: 'email' },
                },
              ],
            })
          : await this.rpc.send('forms.createFromTemplate', { ...request, template: 'support' });
      res.redirect(303, `/admin/forms/${form.id}?created=1`);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
      const problems = problemsByInput(error.fields);
      await this.renderList(
        req,
        res,
        user,
        { created: { name, template, error: problems.name ?? error.message } },
        400,
      );
    }
  }

  @Get(':id')
  async editor(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'forms');
    const form = await this.rpc.send('forms.get', { accountId: user.accountId, id: formId(id) });
    await this.renderEditor(req, res, user, form, {
      name: form.name,
      thankYouMessage: form.thankYouMessage,
      rows: form.fields.map(rowOfField),
      ticketCreation: rowOfTicketCreation(form.ticketCreation),
      notice: req.query.created ? 'Form created.' : req.query.saved ? 'Form saved.' : null,
    });
  }

  /** Saves the whole form; a row's Move up / Move down / Remove button saves with that change made. */
  @Post(':id')
  async save(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'forms');
    assertCsrf(req);
    const form = await this.rpc.send('forms.get', { accountId: user.accountId, id: formId(id) });
    const state: EditorState = {
      name: formField(req.body, 'name'),
      thankYouMessage: formField(req.body, 'thankYouMessage'),
      rows: applyFieldAction(fieldRowsOf(req.body), formField(req.body, 'action')),
      ticketCreation: ticketCreationOf(req.body),
    };
    try {
      await this.rpc.send('forms.update', {
        accountId: user.accountId,
        id: form.id,
        name: state.name,
        thankYouMessage: state.thankYouMessage,
        fields: state.rows.map(fieldOfRow),
        ticketCreation: ticketCreationOfRow(state.ticketCreation),
      });
    } catch (error) {
      if (!(error instanceof AppError) || !['VALIDATION_FAILED', 'FORM_IN_USE'].includes(error.code))
        throw error;
      const refused = { message: error.message, problems: problemsByInput(error.fields) };
      return this.renderEditor(req, res, user, form, { ...state, refused }, 400);
    }
    const action = formField(req.body, 'action');
    res.redirect(303, `/admin/forms/${form.id}?saved=1${action && action !== 'save' ? '#fields' : ''}`);
  }

  @Get(':id/submissions')
  async submissions(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'forms');
    const accountId = user.accountId;
    const form = await this.rpc.send('forms.get', { accountId, id: formId(id) });
    const after = cursorOf(req);
    const page = await this.rpc.send('forms.submissions.list', {
      accountId,
      formId: form.id,
      limit: PAGE_SIZE,
      ...(after ? { after } : {}),
    });
    const emailField = form.fields.find(
      (field) => field.property?.object === 'contact' && field.property.name === 'email',
    );
    this.views.render(res, 'admin/forms-submissions.liquid', {
      ...adminLayoutData(req, user, { title: `Submissions: ${form.name}`, section: 'forms' }),
      form: { id: form.id, name: form.name },
      submissions: page.items.map((submission) => ({
        id: submission.id,
        createdAt: submission.createdAt,
        email: emailField ? stringOf(submission.values[emailField.name]) : '',
        channel: submission.channel,
        status: submission.status,
        statusText: STATUS_TEXT[submission.status],
        attempts: submission.attempts,
        lastError: submission.lastError,
        ticketId: submission.ticketId,
        deliveredAt: submission.deliveredAt,
      })),
      olderHref: page.nextCursor
        ? `/admin/forms/${form.id}/submissions?after=${encodeURIComponent(page.nextCursor)}`
        : null,
      firstHref: after ? `/admin/forms/${form.id}/submissions` : null,
    });
  }

  @Get(':id/delete')
  async confirmDelete(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'forms');
    const form = await this.rpc.send('forms.get', { accountId: user.accountId, id: formId(id) });
    this.renderDelete(req, res, user, form, null);
  }

  @Post(':id/delete')
  async delete(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'forms');
    assertCsrf(req);
    const form = await this.rpc.send('forms.get', { accountId: user.accountId, id: formId(id) });
    try {
      await this.rpc.send('forms.delete', { accountId: user.accountId, id: form.id });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'FORM_IN_USE') throw error;
      return this.renderDelete(req, res, user, form, error.message, 409);
    }
    res.redirect(303, `/admin/forms?deleted=${encodeURIComponent(form.name)}`);
  }

  private async renderList(
    req: Request,
    res: Response,
    user: InternalViewer,
    state: { notice?: string | null; created?: { name: string; template: string; error: string } },
    status = 200,
  ) {
    const accountId = user.accountId;
    const after = cursorOf(req);
    const [page, inboxes] = await Promise.all([
      this.rpc.send('forms.list', { accountId, limit: PAGE_SIZE, ...(after ? { after } : {}) }),
      this.rpc.send('inbox.inboxes.list', { accountId }),
    ]);
    const inboxNames = new Map(inboxes.map((inbox) => [inbox.id, destinationText(inbox.kind, inbox.name)]));
    this.views.render(
      res,
      'admin/forms.liquid',
      {
        ...adminLayoutData(req, user, { title: 'Forms', section: 'forms' }),
        notice: state.notice ?? null,
        created: state.created ?? { name: '', template: 'support', error: null },
        forms: page.items.map((form) => ({
          id: form.id,
          name: form.name,
          fieldCount: form.fields.length,
          ticketCreation: form.ticketCreation.enabled,
          destination: form.ticketCreation.destination
            ? (inboxNames.get(form.ticketCreation.destination.id) ?? 'an inbox that no longer exists')
            : null,
          usableAsSupportForm: form.usableAsSupportForm,
        })),
        olderHref: page.nextCursor ? `/admin/forms?after=${encodeURIComponent(page.nextCursor)}` : null,
        firstHref: after ? '/admin/forms' : null,
      },
      status,
    );
  }

  private async renderEditor(
    req: Request,
    res: Response,
    user: InternalViewer,
    form: FormView,
    state: EditorState,
    status = 200,
  ) {
    const accountId = user.accountId;
    const [inboxes, pipelines, contactProperties, ticketProperties] = await Promise.all([
      this.rpc.send('inbox.inboxes.list', { accountId }),
      this.rpc.send('tickets.pipelines.list', { accountId }),
      this.rpc.send('identity.contactProperties.list', { accountId }),
      this.rpc.send('tickets.properties.list', { accountId }),
    ]);
    // Built-ins are the form's own few (the service fills status, owner… itself); then custom ones.
    const choices = (
      object: 'contact' | 'ticket',
      properties: { name: string; label: string; builtIn: boolean }[],
    ) => [
      ...FORM_BUILT_IN_PROPERTIES[object].map((name) => ({
        value: `${object}:${name}`,
        text: BUILT_IN_TEXT[name],
      })),
      ...properties
        .filter((property) => !property.builtIn)
        .map((property) => ({ value: `${object}:${property.name}`, text: property.label })),
    ];
    const propertyGroups = [
      { label: 'Contact', options: choices('contact', contactProperties) },
      { label: 'Ticket', options: choices('ticket', ticketProperties) },
    ];
    const known = new Set(propertyGroups.flatMap((group) => group.options.map((option) => option.value)));
    const problems = state.refused?.problems ?? {};
    const fieldView = (row: FieldRow, index: number | 'new') => {
      const at = index === 'new' ? 'new' : `fields.${index}`;
      return {
        ...row,
        index,
        id: index === 'new' ? 'new-field' : `field-${index}`,
        prefix: at,
        first: index === 0,
        last: index === state.rows.length - 1,
        types: FormFieldType.options.map((type) => ({
          value: type,
          text: TYPE_TEXT[type],
          selected: type === row.type,
        })),
        groups: propertyGroups.map((group) => ({
          label: group.label,
          options: group.options.map((option) => ({ ...option, selected: option.value === row.property })),
        })),
        // A property deleted since stays shown as chosen, so saving does not silently change it.
        unknownProperty: row.property && !known.has(row.property) ? row.property : null,
        errors: {
          name: problems[`${at}.name`],
          label: problems[`${at}.label`],
          type: problems[`${at}.type`],
          required: problems[`${at}.required`],
          helpText: problems[`${at}.helpText`],
          property: problems[`${at}.property`],
          options: problems[`${at}.options`],
        },
      };
    };
    const creation = state.ticketCreation;
    this.views.render(
      res,
      'admin/forms-edit.liquid',
      {
        ...adminLayoutData(req, user, { title: `Form: ${form.name}`, section: 'forms' }),
        form: { id: form.id, name: form.name, usableAsSupportForm: form.usableAsSupportForm },
        notice: state.notice ?? null,
        refused: state.refused ? refusedText(state.refused.message, problems, state.rows.length) : null,
        problems: {
          name: problems.name,
          thankYouMessage: problems.thankYouMessage,
          fields: problems.fields,
          enabled: problems['ticketCreation.enabled'] ?? problems.ticketCreation,
          destination: problems['ticketCreation.destination'],
          pipelineId: problems['ticketCreation.pipelineId'],
          stageId: problems['ticketCreation.stageId'],
        },
        name: state.name,
        thankYouMessage: state.thankYouMessage,
        fields: state.rows.map((row, index) => fieldView(row, index)),
        newField: fieldView(
          { name: '', label: '', type: 'text', required: false, helpText: '', property: '', options: '' },
          'new',
        ),
        ticketCreation: {
          enabled: creation.enabled,
          destinations: inboxes.map((inbox) => ({
            value: `${inbox.kind}:${inbox.id}`,
            text: destinationText(inbox.kind, inbox.name),
            selected: `${inbox.kind}:${inbox.id}` === creation.destination,
          })),
          pipelines: pipelines.map((pipeline) => ({
            id: pipeline.id,
            label: pipeline.label,
            selected: pipeline.id === creation.pipelineId,
            stages: pipeline.stages
              .filter((stage) => stage.state === 'open')
              .map((stage) => ({
                id: stage.id,
                label: stage.label,
                selected: stage.id === creation.stageId,
              })),
          })),
        },
        // The embed code is the stored form's: what a web site would post to right now.
        embed: embedSnippet(form, this.config.PUBLIC_URL),
      },
      status,
    );
  }

  private renderDelete(
    req: Request,
    res: Response,
    user: InternalViewer,
    form: FormView,
    refused: string | null,
    status = 200,
  ) {
    this.views.render(
      res,
      'admin/forms-delete.liquid',
      {
        ...adminLayoutData(req, user, { title: `Delete ${form.name}`, section: 'forms' }),
        form: { id: form.id, name: form.name },
        refused,
      },
      status,
    );
  }
}
