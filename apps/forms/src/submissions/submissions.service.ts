import type { Page, RpcPayload, SubmissionView, SubmitFormResult } from '@helpdesk/contracts';
import { AppError, decodeCursor, encodeCursor, isIsoInstant, isUuid, Metrics } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { FormsService } from '../forms/forms.service.js';
import { FormsRelay, SUBMISSION_DELIVER } from '../outbox/forms-relay.js';
import { SubmissionPace } from './submission-pace.js';
import { readSubmission, type DeliveryPlan } from './submission-values.js';

interface SubmissionRow {
  id: string;
  accountId: string;
  formId: string;
  channel: SubmissionView['channel'];
  values: Record<string, unknown>;
  status: SubmissionView['status'];
  attempts: number;
  lastError: string | null;
  contactId: string | null;
  ticketId: string | null;
  threadId: string | null;
  pageUri: string | null;
  pageName: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const submissionColumns = `id, account_id as "accountId", form_id as "formId", channel,
  field_values as "values", status, attempts, last_error as "lastError", contact_id as "contactId",
  ticket_id as "ticketId", thread_id as "threadId", page_uri as "pageUri", page_name as "pageName",
  ${iso('created_at')} as "createdAt", ${iso('delivered_at')} as "deliveredAt"`;

/**
 * Submissions: validated against their form, then stored together with their outbox row in ONE
 * statement (so both commit or neither does) before the answer; the relay delivers them.
 */
@Injectable()
export class SubmissionsService {
  private readonly submissions: Counter<'channel' | 'outcome'>;

  constructor(
    private readonly em: EntityManager,
    private readonly forms: FormsService,
    private readonly relay: FormsRelay,
    private readonly pace: SubmissionPace,
    metrics: Metrics,
  ) {
    this.submissions =
      (metrics.registry.getSingleMetric('forms_submissions_total') as Counter<'channel' | 'outcome'>) ??
      new Counter({
        name: 'forms_submissions_total',
        help: 'Form submissions received, by channel and outcome (accepted, invalid)',
        labelNames: ['channel', 'outcome'],
        registers: [metrics.registry],
      });
  }

  async submit(request: RpcPayload<'forms.submit'>): Promise<SubmitFormResult> {
    const { formId, accountId, contactId, values, channel, context } = request;
    const form = await this.forms.forSubmission(formId, accountId);
    const read = readSubmission(form, values, { contactId: contactId ?? null });
    if (Object.keys(read.problems).length) {
      this.submissions.inc({ channel, outcome: 'invalid' });
      throw new AppError(
        'VALIDATION_FAILED',
        `Some fields are not valid: ${Object.entries(read.problems)
          .map(([name, messages]) => `${name} ${messages.join(', ')}`)
          .join('; ')}`,
        read.problems,
      );
    }
    const submissionId = randomUUID();
    const plan: DeliveryPlan = { submissionId, ...read.plan };
    const extra = {
      ...(context.hutk ? { hutk: context.hutk } : {}),
      ...(context.legalConsent !== undefined ? { legalConsent: context.legalConsent } : {}),
    };
    // One statement, so one transaction: the submission and its outbox row commit together.
    await this.em.getConnection().execute(
      `with submission as (
         insert into forms.submission
           (id, account_id, form_id, channel, field_values, status, attempts, contact_id, page_uri,
            page_name, context, created_at)
         values (?, ?, ?, ?, ?::jsonb, 'pending', 0, ?, ?, ?, ?::jsonb, now())
         returning account_id)
       insert into forms.outbox (id, account_id, kind, payload)
       select ?, account_id, ?, ?::jsonb from submission`,
      [
        submissionId,
        form.accountId,
        form.id,
        channel,
        JSON.stringify(read.values),
        contactId ?? null,
        context.pageUri ?? null,
        context.pageName ?? null,
        Object.keys(extra).length ? JSON.stringify(extra) : null,
        randomUUID(),
        SUBMISSION_DELIVER,
        JSON.stringify(plan),
      ],
    );
    this.submissions.inc({ channel, outcome: 'accepted' });
    this.pace.accepted();
    this.relay.wake();
    return { submissionId, inlineMessage: form.thankYouMessage };
  }

  /** One submission; given a contact, only that contact's (anyone else's is not found, alike). */
  async get({ accountId, id, contactId }: RpcPayload<'forms.submissions.get'>): Promise<SubmissionView> {
    const params: unknown[] = [accountId, id];
    if (contactId) params.push(contactId);
    const [row] = await this.em.getConnection().execute<SubmissionRow[]>(
      `select ${submissionColumns} from forms.submission
        where account_id = ? and id = ? ${contactId ? 'and contact_id = ?' : ''}`,
      params,
    );
    if (!row) throw new AppError('SUBMISSION_NOT_FOUND', `Submission ${id} not found`);
    return row;
  }

  /** A form's submissions, newest first. */
  async list({
    accountId,
    formId,
    status,
    after,
    limit,
  }: RpcPayload<'forms.submissions.list'>): Promise<Page<SubmissionView>> {
    await this.forms.find(accountId, formId);
    const cursor =
      after === undefined ? null : decodeCursor(after, 2, ([at, id]) => isIsoInstant(at) && isUuid(id));
    const params: unknown[] = [accountId, formId];
    if (status) params.push(status);
    if (cursor) params.push(cursor[0], cursor[1]);
    params.push(limit + 1);
    const rows = await this.em.getConnection().execute<SubmissionRow[]>(
      `select ${submissionColumns} from forms.submission
        where account_id = ? and form_id = ? ${status ? 'and status = ?' : ''}
          ${cursor ? 'and (created_at, id) < (?::timestamptz, ?::uuid)' : ''}
        order by created_at desc, id desc
        limit ?`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
    };
  }
}
