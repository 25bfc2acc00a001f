import {
  CreateFormRequest,
  DEFAULT_THANK_YOU_MESSAGE,
  type FormField,
  type FormView,
  type Page,
  type RpcPayload,
  type TicketCreation,
} from '@helpdesk/contracts';
import {
  AppError,
  decodeCursor,
  encodeCursor,
  isUuid,
  parseOrThrow,
  RpcClient,
  SERVICE_CONFIG,
} from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import type { FormsConfig } from '../config.js';
import type { FormForSubmission } from '../submissions/submission-values.js';
import {
  dateFieldsOf,
  formProblems,
  referencesNeeded,
  usableAsSupportForm,
  type FormReferences,
  type FormShape,
} from './form-rules.js';
import { toFormView } from './form-views.js';
import { Form } from './form.entity.js';
import { supportFormFields } from './support-template.js';

/** What a submission needs of its form. */
export type SubmittableForm = FormForSubmission & { accountId: string; thankYouMessage: string };

interface FormRow {
  id: string;
  account_id: string;
  name: string;
  fields: FormField[];
  ticket_creation: TicketCreation;
  date_fields: string[];
  thank_you_message: string;
}

/** Forms read for submissions, kept for FORM_CACHE_MS; bounded, so ids made up by bots cannot grow it. */
const MAX_CACHED_FORMS = 1_000;

const NO_TICKET_CREATION: TicketCreation = {
  enabled: false,
  destination: null,
  pipelineId: null,
  stageId: null,
};

/** Forms and their fields (S5). Every save checks the whole form and its references with their owners. */
@Injectable()
export class FormsService {
  private readonly cache = new Map<string, { form: SubmittableForm; until: number }>();

  constructor(
    private readonly em: EntityManager,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: FormsConfig,
  ) {}

  /**
   * The form a submission is checked against (the hot path): one indexed read of the columns it
   * needs, reused for FORM_CACHE_MS. With `accountId`, only that account's form.
   */
  async forSubmission(id: string, accountId?: string): Promise<SubmittableForm> {
    const cached = this.cache.get(id);
    let form = cached && cached.until > Date.now() ? cached.form : undefined;
    if (!form) {
      const [row] = await this.em
        .getConnection()
        .execute<FormRow[]>(
          'select id, account_id, name, fields, ticket_creation, date_fields, thank_you_message from forms.form where id = ?',
          [id],
        );
      if (!row) throw new AppError('FORM_NOT_FOUND', `Form ${id} not found`);
      form = {
        id: row.id,
        name: row.name,
        fields: row.fields,
        accountId: row.account_id,
        ticketCreation: row.ticket_creation,
        dateFields: row.date_fields,
        thankYouMessage: row.thank_you_message,
      };
      if (this.config.FORM_CACHE_MS > 0) {
        if (this.cache.size >= MAX_CACHED_FORMS) this.cache.clear();
        this.cache.set(id, { form, until: Date.now() + this.config.FORM_CACHE_MS });
      }
    }
    if (accountId && form.accountId !== accountId)
      throw new AppError('FORM_NOT_FOUND', `Form ${id} not found`);
    return form;
  }

  async list({ accountId, after, limit }: RpcPayload<'forms.list'>): Promise<Page<FormView>> {
    const afterKey = after === undefined ? undefined : decodeCursor(after, 2, ([, id]) => isUuid(id));
    const forms = await this.em.find(
      Form,
      {
        accountId,
        ...(afterKey
          ? { $or: [{ name: { $gt: afterKey[0] } }, { name: afterKey[0], id: { $gt: afterKey[1] } }] }
          : {}),
      },
      { orderBy: { name: 'asc', id: 'asc' }, limit: limit + 1 },
    );
    const items = forms.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(toFormView),
      nextCursor: forms.length > limit && last ? encodeCursor([last.name, last.id]) : null,
    };
  }

  async get({ accountId, id }: RpcPayload<'forms.get'>): Promise<FormView> {
    return toFormView(await this.find(accountId, id));
  }

  async create({ accountId, name, fields, ticketCreation, thankYouMessage }: RpcPayload<'forms.create'>) {
    const dateFields = await this.check(accountId, { fields, ticketCreation });
    const form = this.em.create(Form, {
      accountId,
      name,
      fields,
      ticketCreation,
      thankYouMessage,
      dateFields,
    });
    await this.em.flush();
    return toFormView(form);
  }

  /** A form from a template (S5's "support form"): its fields, the given name and ticket creation. */
  async createFromTemplate({
    accountId,
    template,
    name,
    ticketCreation,
  }: RpcPayload<'forms.createFromTemplate'>): Promise<FormView> {
    switch (template) {
      case 'support': {
        const request = parseOrThrow(CreateFormRequest, {
          accountId,
          name: name ?? 'Support form',
          fields: supportFormFields(),
          ticketCreation: ticketCreation ?? NO_TICKET_CREATION,
          thankYouMessage: DEFAULT_THANK_YOU_MESSAGE,
        });
        return this.create(request);
      }
    }
  }

  /**
   * Changes what is given and checks the result as a whole. A form the portal's support form is
   * connected to must stay usable as one (ticket properties, ticket creation into an inbox).
   */
  async update({ accountId, id, ...changes }: RpcPayload<'forms.update'>): Promise<FormView> {
    const form = await this.find(accountId, id);
    const fields = changes.fields ?? form.fields;
    const ticketCreation = changes.ticketCreation ?? form.ticketCreation;
    const dateFields = await this.check(accountId, { fields, ticketCreation });
    if (usableAsSupportForm(form) && !usableAsSupportForm({ fields, ticketCreation }))
      await this.refuseIfSupportForm(
        accountId,
        form,
        'is the customer portal’s support form: it must keep ticket properties and automatic ticket creation',
      );
    Object.assign(form, {
      fields,
      ticketCreation,
      dateFields,
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.thankYouMessage !== undefined ? { thankYouMessage: changes.thankYouMessage } : {}),
    });
    await this.em.flush();
    this.cache.delete(form.id);
    return toFormView(form);
  }

  /** Refused while the portal's support form is connected to it; its submissions stay. */
  async delete({ accountId, id }: RpcPayload<'forms.delete'>): Promise<{ deleted: true }> {
    const form = await this.find(accountId, id);
    await this.refuseIfSupportForm(
      accountId,
      form,
      'is the customer portal’s support form: connect another form (or none) first',
    );
    await this.em.removeAndFlush(form);
    this.cache.delete(form.id);
    return { deleted: true };
  }

  async find(accountId: string, id: string): Promise<Form> {
    const form = await this.em.findOne(Form, { accountId, id });
    if (!form) throw new AppError('FORM_NOT_FOUND', `Form ${id} not found`);
    return form;
  }

  private async refuseIfSupportForm(accountId: string, form: Form, why: string) {
    const { supportForm } = await this.rpc.send('identity.portal.get', { accountId });
    if (supportForm.connected && supportForm.formId === form.id)
      throw new AppError('FORM_IN_USE', `${form.name} ${why}`);
  }

  /** Checks a whole form against its references; answers the names of its date fields. */
  private async check(accountId: string, shape: FormShape): Promise<string[]> {
    const needed = referencesNeeded(shape);
    const [contactProperties, ticketProperties, inboxes, pipelines] = await Promise.all([
      needed.contactProperties ? this.rpc.send('identity.contactProperties.list', { accountId }) : undefined,
      needed.ticketProperties ? this.rpc.send('tickets.properties.list', { accountId }) : undefined,
      needed.inboxes ? this.rpc.send('inbox.inboxes.list', { accountId }) : undefined,
      needed.pipelines ? this.rpc.send('tickets.pipelines.list', { accountId }) : undefined,
    ]);
    const references: FormReferences = { contactProperties, ticketProperties, inboxes, pipelines };
    const problems = formProblems(shape, references);
    if (Object.keys(problems).length)
      throw new AppError(
        'VALIDATION_FAILED',
        `Invalid form: ${Object.entries(problems)
          .map(([path, messages]) => `${path} ${messages.join(', ')}`)
          .join('; ')}`,
        problems,
      );
    return dateFieldsOf(shape.fields, references);
  }
}
