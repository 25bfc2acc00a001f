import type { ContactView, RpcRequest, TicketView } from '@helpdesk/contracts';
import { AppError, LOGGER, RpcClient, type Logger, type OutboxDelivery } from '@helpdesk/kit';
import { MikroORM } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { SubmissionPace } from './submission-pace.js';
import type { DeliveryPlan } from './submission-values.js';

interface Outcome {
  contactId: string | null;
  ticketId: string | null;
  threadId: string | null;
}

const fullName = (first: string | null | undefined, last: string | null | undefined) =>
  [first, last]
    .filter((part) => part)
    .join(' ')
    .trim();

const isCode = (error: unknown, ...codes: string[]) =>
  error instanceof AppError && codes.includes(error.code);

/**
 * Delivers one stored submission (the relay's `submission.deliver` handler): the contact (found or
 * created by email, or the logged-in one), the ticket, its custom property values and its thread in
 * the destination inbox. Every step is idempotent, keyed by the submission id, so a redelivery (a
 * lost acknowledgement, a replica that died mid-way, a retry after one step failed) creates nothing
 * twice. The outcome is written back on the submission.
 */
@Injectable()
export class SubmissionDelivery {
  constructor(
    private readonly orm: MikroORM,
    private readonly rpc: RpcClient,
    private readonly pace: SubmissionPace,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async deliver(row: OutboxDelivery): Promise<void> {
    await this.pace.yieldToSubmissions();
    const plan = row.payload as unknown as DeliveryPlan;
    const outcome: Outcome = { contactId: plan.contact.contactId, ticketId: null, threadId: null };
    try {
      const contact = await this.requester(row.accountId, plan);
      outcome.contactId = contact.id;
      if (plan.ticket) {
        const ticket = await this.ticket(row.accountId, plan, contact);
        outcome.ticketId = ticket.id;
        await this.setProperties(row.accountId, ticket, plan.ticket.properties);
        const thread = await this.rpc.send('inbox.threads.open', {
          accountId: row.accountId,
          ticketId: ticket.id,
          inboxId: plan.ticket.destination.id,
          requester: { contactId: contact.id, name: this.requesterName(plan, contact), email: contact.email },
          subject: ticket.subject,
          bodyText: plan.ticket.content,
          idempotencyKey: plan.submissionId,
        });
        outcome.threadId = thread.id;
      }
    } catch (error) {
      await this.record(row, outcome, error).catch((err: unknown) =>
        this.logger.warn({ err, submissionId: plan.submissionId }, 'could not record a failed delivery'),
      );
      throw error;
    }
    await this.record(row, outcome);
  }

  /** The logged-in contact (whatever the email field said), else the contact with the email. */
  private async requester(accountId: string, { contact }: DeliveryPlan): Promise<ContactView> {
    const fill = {
      ...(contact.firstName ? { firstName: contact.firstName } : {}),
      ...(contact.lastName ? { lastName: contact.lastName } : {}),
      ...(Object.keys(contact.properties).length ? { properties: contact.properties } : {}),
    };
    if (contact.contactId) {
      try {
        const known = await this.rpc.send('identity.contacts.get', { accountId, id: contact.contactId });
        // Blanks of the contact's record are filled from the form, nothing is overwritten.
        return Object.keys(fill).length
          ? await this.rpc.send('identity.contacts.findOrCreate', { accountId, email: known.email, ...fill })
          : known;
      } catch (error) {
        if (!isCode(error, 'CONTACT_NOT_FOUND') || !contact.email) throw error;
        this.logger.warn(
          { contactId: contact.contactId },
          'the submitting contact no longer exists; using the email field',
        );
      }
    }
    if (!contact.email) throw new Error('the submission names no contact (no contactId, no email)');
    return this.rpc.send('identity.contacts.findOrCreate', { accountId, email: contact.email, ...fill });
  }

  private requesterName(plan: DeliveryPlan, contact: ContactView) {
    return (
      fullName(contact.firstName, contact.lastName) || fullName(plan.contact.firstName, plan.contact.lastName)
    ).slice(0, 200);
  }

  /** The submission's ticket (its id is the source key); in the default placement if the form's is gone. */
  private async ticket(accountId: string, plan: DeliveryPlan, contact: ContactView): Promise<TicketView> {
    const ticket = plan.ticket!;
    const request: RpcRequest<'tickets.create'> = {
      accountId,
      subject: ticket.subject,
      content: ticket.content,
      priority: ticket.priority,
      ...(ticket.pipelineId ? { pipelineId: ticket.pipelineId } : {}),
      ...(ticket.stageId ? { stageId: ticket.stageId } : {}),
      requesterContactId: contact.id,
      requesterName: this.requesterName(plan, contact),
      requesterEmail: contact.email,
      companyId: contact.primaryCompanyId,
      source: 'form',
      sourceKey: plan.submissionId,
    };
    try {
      return await this.rpc.send('tickets.create', request);
    } catch (error) {
      if (!isCode(error, 'PIPELINE_NOT_FOUND', 'STAGE_NOT_FOUND')) throw error;
      // The form's pipeline or stage was deleted after the submission: a ticket in the account's
      // default place beats a submission that can never be delivered.
      this.logger.warn(
        { submissionId: plan.submissionId, pipelineId: ticket.pipelineId, stageId: ticket.stageId },
        'the form’s pipeline or stage is gone; creating the ticket in the default pipeline',
      );
      const { pipelineId: _p, stageId: _s, ...fallback } = request;
      return this.rpc.send('tickets.create', fallback);
    }
  }

  /**
   * Custom ticket property values (tickets.create takes none). Only those the ticket has no value for
   * yet: a redelivery never overwrites what an agent changed meanwhile. Values that no longer fit the
   * property (changed options) are dropped rather than failing forever; the submission keeps them.
   */
  private async setProperties(accountId: string, ticket: TicketView, properties: Record<string, unknown>) {
    let missing = Object.fromEntries(
      Object.entries(properties).filter(([name]) => !(name in ticket.properties)),
    );
    for (let tries = 0; tries < 2 && Object.keys(missing).length; tries++) {
      try {
        await this.rpc.send('tickets.update', {
          accountId,
          id: ticket.id,
          properties: missing as Record<string, string | number | boolean | null>,
        });
        return;
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED' || !error.fields) throw error;
        const refused = Object.keys(error.fields).map((path) => path.replace(/^properties\./, ''));
        this.logger.warn(
          { ticketId: ticket.id, refused },
          'ticket property values refused; setting the others',
        );
        missing = Object.fromEntries(Object.entries(missing).filter(([name]) => !refused.includes(name)));
      }
    }
  }

  /** Writes the outcome on the submission: delivered, or the failure (never over a delivered one). */
  private async record(row: OutboxDelivery, outcome: Outcome, error?: unknown): Promise<void> {
    const plan = row.payload as unknown as DeliveryPlan;
    const connection = this.orm.em.fork().getConnection();
    const ids = [outcome.contactId, outcome.ticketId, outcome.threadId];
    if (error === undefined) {
      await connection.execute(
        `update forms.submission
            set status = 'delivered', attempts = greatest(attempts, ?), last_error = null,
                contact_id = coalesce(?, contact_id), ticket_id = coalesce(?, ticket_id),
                thread_id = coalesce(?, thread_id), delivered_at = coalesce(delivered_at, now())
          where id = ? and account_id = ?`,
        [row.attempts, ...ids, plan.submissionId, row.accountId],
      );
      return;
    }
    const message = error instanceof Error ? error.message : JSON.stringify(error);
    await connection.execute(
      `update forms.submission
          set status = 'retrying', attempts = greatest(attempts, ?), last_error = ?,
              contact_id = coalesce(?, contact_id), ticket_id = coalesce(?, ticket_id),
              thread_id = coalesce(?, thread_id)
        where id = ? and account_id = ? and status <> 'delivered'`,
      [row.attempts, message.slice(0, 2_000), ...ids, plan.submissionId, row.accountId],
    );
  }
}
