import { UpdateTicketRequest, type AttachmentInput, type ThreadDetail } from '@helpdesk/contracts';
import { AppError, htmlFromText, parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf, csrfValid, CsrfRejectedError } from '../auth/csrf.js';
import type { InternalViewer } from '../auth/viewer.js';
import { pathId } from '../http/path-id.js';
import { errorCode, formField } from '../http/form-fields.js';
import { PageViews } from '../http/page-views.js';
import { PageQuery } from '../inbox/page-query.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { describeBytes } from '../uploads/attachment-inspector.js';
import { ALLOWED_TYPES_TEXT } from '../uploads/attachment-type.js';
import { AttachmentUploads, typedBeforeRefusal, UploadRefusedError } from '../uploads/attachment-uploads.js';
import { AdminErrorFilter } from './admin-error.filter.js';
import { adminLayoutData, requireAdmin } from './admin-page.js';
import { refusalOf } from './directory-pages.js';
import {
  conversationItems,
  messageItem,
  PRIORITIES,
  stageOf,
  threadRow,
  timelineItem,
} from './inbox-pages.js';

const threadId = pathId('THREAD_NOT_FOUND', 'Thread');

/** A `?name=` query value as one string; anything else reads as absent. */
const queryText = (query: Record<string, unknown>, name: string): string | undefined =>
  typeof query[name] === 'string' && query[name] !== '' ? query[name] : undefined;

/** A keyset cursor from the query, checked as the JSON API checks one (a bad one is a 400). */
const cursorOf = (query: Record<string, unknown>, name: string): string | undefined =>
  parseOrThrow(PageQuery, { after: queryText(query, name) }, 'query').after;

/** The ticket form's fields, checked with the contract before tickets sees them (the form's "None" is empty). */
const TicketForm = UpdateTicketRequest.pick({ stageId: true, priority: true, ownerId: true }).required();

const NOTICES: Record<string, string> = {
  reply: 'Reply sent to the customer.',
  note: 'Internal note added.',
  ticket: 'Ticket saved.',
};

/** What a refused post brings back to the thread page: the form as typed, with the reason at its field. */
interface ThreadPageState {
  notice?: string | null;
  reply?: { draft: string; error: string };
  note?: { draft: string; error: string };
  ticket?: {
    stageId: string;
    priority: string;
    ownerId: string;
    message: string;
    errors: Record<string, string>;
  };
}

/**
 * The agent inbox (issue 8, SPEC S3, S8): the account's inboxes and help desks with each one's
 * threads, and a thread's page with its messages, a public reply and an internal note, the ticket's
 * stage and priority beside it (saved through tickets), its timeline and its conversations.
 */
@ApiExcludeController()
@UseFilters(AdminErrorFilter)
@Controller('admin/inbox')
export class InboxAdminController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly views: PageViews,
    private readonly uploads: AttachmentUploads,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'inbox');
    const query = req.query;
    const after = cursorOf(query, 'after');
    const accountId = user.accountId;
    const [inboxes, pipelines] = await Promise.all([
      this.rpc.send('inbox.inboxes.list', { accountId }),
      this.rpc.send('tickets.pipelines.list', { accountId }),
    ]);
    const asked = queryText(query, 'inbox');
    const chosen = asked ? inboxes.find((inbox) => inbox.id === asked) : inboxes[0];
    if (asked && !chosen) throw new AppError('INBOX_NOT_FOUND', `Inbox ${asked} not found`);
    const page = chosen
      ? await this.rpc.send('inbox.threads.list', { accountId, inboxId: chosen.id, after })
      : { items: [], nextCursor: null };
    // The list shows each thread's ticket status: one request for the page's tickets.
    const tickets = page.items.length
      ? await this.rpc.send('tickets.getMany', {
          accountId,
          ids: page.items.map((thread) => thread.ticketId),
        })
      : [];
    const ticketOf = new Map(tickets.map((ticket) => [ticket.id, ticket]));
    const inboxHref = (id: string, cursor?: string) =>
      `/admin/inbox?${new URLSearchParams({ inbox: id, ...(cursor ? { after: cursor } : {}) }).toString()}`;
    this.views.render(res, 'admin/inbox.liquid', {
      ...adminLayoutData(req, user, { title: chosen ? `Inbox: ${chosen.name}` : 'Inbox', section: 'inbox' }),
      inboxes: inboxes.map((inbox) => ({
        name: inbox.name,
        kind: inbox.kind === 'help_desk' ? 'Help desk' : 'Inbox',
        href: inboxHref(inbox.id),
        current: inbox.id === chosen?.id,
      })),
      chosen: chosen ? { name: chosen.name } : null,
      threads: page.items.map((thread) => threadRow(thread, ticketOf.get(thread.ticketId), pipelines)),
      nextHref: chosen && page.nextCursor ? inboxHref(chosen.id, page.nextCursor) : null,
      firstHref: chosen && after ? inboxHref(chosen.id) : null,
    });
  }

  @Get('threads/:id')
  async thread(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'inbox');
    const thread = await this.rpc.send('inbox.threads.get', {
      accountId: user.accountId,
      threadId: threadId(id),
    });
    const done = queryText(req.query, 'done');
    await this.renderThread(req, res, user, thread, { notice: done ? (NOTICES[done] ?? null) : null });
  }

  /** A public reply: stored by inbox, recorded on the ticket and emailed to the requester. */
  @Post('threads/:id/reply')
  async reply(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    await this.addMessage(id, req, res, 'reply');
  }

  /** An internal note: never shown in the portal, never emailed. */
  @Post('threads/:id/note')
  async note(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    await this.addMessage(id, req, res, 'note');
  }

  /** The ticket's stage and priority, saved through tickets (a closed stage closes the ticket). */
  @Post('threads/:id/ticket')
  async saveTicket(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'inbox');
    assertCsrf(req);
    const thread = await this.rpc.send('inbox.threads.get', {
      accountId: user.accountId,
      threadId: threadId(id),
    });
    const stageId = formField(req.body, 'stageId');
    const priority = formField(req.body, 'priority');
    const ownerId = formField(req.body, 'ownerId');
    try {
      const changes = parseOrThrow(
        TicketForm,
        { stageId, priority: priority || null, ownerId: ownerId || null },
        'ticket',
      );
      await this.rpc.send('tickets.update', { accountId: user.accountId, id: thread.ticketId, ...changes });
    } catch (error) {
      // A stage gone from the pipeline since the page was loaded is a mistake in the form, not a missing page.
      const refusal =
        errorCode(error) === 'STAGE_NOT_FOUND'
          ? {
              status: 400,
              message: (error as AppError).message,
              fields: { stageId: 'is not a stage of the pipeline' },
            }
          : refusalOf(error);
      return this.renderThread(
        req,
        res,
        user,
        thread,
        { ticket: { stageId, priority, ownerId, message: refusal.message, errors: refusal.fields } },
        refusal.status,
      );
    }
    res.redirect(303, `/admin/inbox/threads/${thread.id}?done=ticket#ticket-properties`);
  }

  private async addMessage(id: string, req: Request, res: Response, kind: 'reply' | 'note') {
    const user = requireAdmin(req, 'inbox');
    const multipart = kind === 'reply' && AttachmentUploads.isMultipart(req);
    if (!multipart) assertCsrf(req);
    const thread = await this.rpc.send('inbox.threads.get', {
      accountId: user.accountId,
      threadId: threadId(id),
    });
    // A reply with files is multipart: its fields (the CSRF token too) arrive with the files.
    let fields = (req.body ?? {}) as Record<string, unknown>;
    let attachments: AttachmentInput[] = [];
    if (multipart) {
      try {
        ({ fields, attachments } = await this.uploads.receive(req, user.accountId, 'attachments'));
      } catch (error) {
        if (!(error instanceof UploadRefusedError)) throw error;
        // The text comes back as typed: only the files need choosing again.
        const typed = typedBeforeRefusal(error, req.session);
        const refusal = refusalOf(error);
        const reply = {
          draft: typed ? formField(typed, 'body') : '',
          error: `The files were not attached: ${refusal.message}.`,
        };
        return this.renderThread(req, res, user, thread, { reply }, refusal.status);
      }
      if (!csrfValid(req.session, fields._csrf)) {
        await this.uploads.discard(attachments);
        throw new CsrfRejectedError();
      }
    }
    const draft = formField(fields, 'body');
    const message = {
      accountId: user.accountId,
      threadId: thread.id,
      author: { userId: user.id, name: user.name || user.email },
      // A plain textarea: its paragraphs and line breaks become HTML, which inbox sanitises again.
      bodyHtml: htmlFromText(draft),
    };
    let stored: { id: string };
    try {
      stored =
        kind === 'reply'
          ? await this.rpc.send('inbox.messages.agentReply', { ...message, attachments })
          : await this.rpc.send('inbox.messages.note', { ...message, kind: 'note' });
    } catch (error) {
      await this.uploads.discardUnlessStored(attachments, error);
      const refusal = refusalOf(error);
      const problem = refusal.fields.bodyHtml;
      const what = kind === 'reply' ? 'The reply' : 'The note';
      return this.renderThread(
        req,
        res,
        user,
        thread,
        { [kind]: { draft, error: problem ? `${what} ${problem}.` : refusal.message } },
        refusal.status,
      );
    }
    res.redirect(303, `/admin/inbox/threads/${thread.id}?done=${kind}#message-${stored.id}`);
  }

  private async renderThread(
    req: Request,
    res: Response,
    user: InternalViewer,
    thread: ThreadDetail,
    state: ThreadPageState,
    status = 200,
  ): Promise<void> {
    const accountId = user.accountId;
    const timelineAfter = cursorOf(req.query, 'timeline');
    const [ticket, pipelines, conversations, timeline, inboxes, users] = await Promise.all([
      this.rpc.send('tickets.get', { accountId, id: thread.ticketId }),
      this.rpc.send('tickets.pipelines.list', { accountId }),
      this.rpc.send('inbox.threads.ofTicket', { accountId, ticketId: thread.ticketId }),
      this.rpc.send('inbox.timeline.get', { accountId, ticketId: thread.ticketId, after: timelineAfter }),
      this.rpc.send('inbox.inboxes.list', { accountId }),
      this.rpc.send('identity.users.list', { accountId }),
    ]);
    const pipeline = pipelines.find((candidate) => candidate.id === ticket.pipelineId);
    const form = state.ticket ?? {
      stageId: ticket.stageId,
      priority: ticket.priority ?? '',
      ownerId: ticket.ownerId ?? '',
      errors: {},
    };
    const inbox = inboxes.find((candidate) => candidate.id === thread.inboxId);
    const threadHref = `/admin/inbox/threads/${thread.id}`;
    this.views.render(
      res,
      'admin/inbox-thread.liquid',
      {
        ...adminLayoutData(req, user, { title: thread.subject, section: 'inbox' }),
        notice: state.notice ?? null,
        thread: {
          id: thread.id,
          subject: thread.subject,
          requester: thread.requester,
          inboxName: inbox?.name ?? 'Inbox',
          backHref: `/admin/inbox?${new URLSearchParams({ inbox: thread.inboxId }).toString()}`,
        },
        messages: thread.messages.map(messageItem),
        reply: state.reply ?? { draft: '', error: '' },
        attachHint: `Up to ${this.config.MAX_ATTACHMENTS_PER_MESSAGE} files, at most ${describeBytes(this.config.MAX_ATTACHMENT_BYTES)} each: ${ALLOWED_TYPES_TEXT}.`,
        note: state.note ?? { draft: '', error: '' },
        ticket: {
          status: stageOf(ticket, pipelines),
          message: state.ticket?.message ?? '',
          errors: form.errors,
          // Grouped, so that an agent sees which stages close the ticket whatever they are called.
          stageGroups: (['open', 'closed'] as const).map((state) => ({
            label: state === 'open' ? 'Open stages' : 'Closed stages',
            stages: (pipeline?.stages ?? [])
              .filter((stage) => stage.state === state)
              .map((stage) => ({ id: stage.id, label: stage.label, selected: stage.id === form.stageId })),
          })),
          pipeline: pipeline?.label ?? '',
          priorities: PRIORITIES.map((priority) => ({
            ...priority,
            selected: priority.value === form.priority,
          })),
          owners: [
            ...users.map((candidate) => ({
              id: candidate.id,
              name: candidate.name || candidate.email,
              selected: candidate.id === form.ownerId,
            })),
            // An owner who is no longer a user stays shown until someone picks another.
            ...(form.ownerId && !users.some((candidate) => candidate.id === form.ownerId)
              ? [{ id: form.ownerId, name: 'A removed user', selected: true }]
              : []),
          ],
        },
        conversations: conversationItems(conversations, thread.id),
        timeline: timeline.items.map(timelineItem),
        timelineOlderHref: timeline.nextCursor
          ? `${threadHref}?${new URLSearchParams({ timeline: timeline.nextCursor }).toString()}#timeline`
          : null,
        timelineNewestHref: timelineAfter ? `${threadHref}#timeline` : null,
      },
      status,
    );
  }
}
