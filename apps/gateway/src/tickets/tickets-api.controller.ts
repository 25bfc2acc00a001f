import {
  CreateTicketRequest,
  Filter,
  ListTicketsRequest,
  PageOf,
  TicketListItem,
  TicketView,
} from '@helpdesk/contracts';
import { parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Body, Controller, Get, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { CurrentViewer, RequirePermission, type Viewer } from '../auth/viewer.js';
import { openApi } from '../http/openapi.js';
import { pathId } from '../http/path-id.js';
import { z } from 'zod';

// The account comes from the session, never from the caller.
const ticketId = pathId('TICKET_NOT_FOUND', 'Ticket');
const CreateTicketBody = CreateTicketRequest.omit({ accountId: true }).strict();
// Built once: zod compiles a schema on first use, and this one runs on every list request.
const ListTicketsQuery = z
  .object({
    after: ListTicketsRequest.shape.after,
    limit: ListTicketsRequest.shape.limit,
    search: ListTicketsRequest.shape.search,
    sort: z.string().min(1).max(100).default('created_at'),
    direction: z.enum(['asc', 'desc']).default('desc'),
    /** The filter model as JSON (groups of conditions: AND inside a group, OR between groups). */
    filters: z
      .string()
      .max(20_000)
      .transform((text, context) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          context.addIssue({ code: 'custom', message: 'is not JSON' });
          return z.NEVER;
        }
      })
      .pipe(Filter)
      .optional(),
  })
  .strict();

/** The account's tickets for internal users (agents, admins, scripts with a session). */
@ApiTags('tickets')
@Controller('api/v1/tickets')
@UseGuards(InternalUserGuard)
@RequirePermission('tickets')
export class TicketsApiController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiQuery({ name: 'after', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 },
  })
  @ApiQuery({ name: 'search', required: false, description: 'words in the subject, description or messages' })
  @ApiQuery({ name: 'sort', required: false, description: 'a sortable ticket property (default created_at)' })
  @ApiQuery({ name: 'direction', required: false, enum: ['asc', 'desc'] })
  @ApiQuery({
    name: 'filters',
    required: false,
    description: 'a filter as JSON: {"groups":[[condition, …], …]}',
  })
  @ApiOkResponse({ schema: openApi(PageOf(TicketListItem)) })
  list(@CurrentViewer() viewer: Viewer, @Query() query: unknown) {
    const { sort, direction, ...rest } = parseOrThrow(ListTicketsQuery, query, 'query');
    return this.rpc.send('tickets.list', {
      accountId: viewer.accountId,
      ...rest,
      sort: { property: sort, direction },
    });
  }

  @Post()
  @ApiBody({ schema: openApi(CreateTicketBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(TicketView) })
  async create(@CurrentViewer() viewer: Viewer, @Body() body: unknown) {
    const ticket = parseOrThrow(CreateTicketBody, body, 'ticket');
    const accountId = viewer.accountId;
    // Tickets stores identity's contact and company ids as given: only this account's may be given
    // (404 CONTACT_NOT_FOUND / COMPANY_NOT_FOUND otherwise).
    await Promise.all([
      ticket.requesterContactId &&
        this.rpc.send('identity.contacts.get', { accountId, id: ticket.requesterContactId }),
      ticket.companyId && this.rpc.send('identity.companies.get', { accountId, id: ticket.companyId }),
    ]);
    return this.rpc.send('tickets.create', { accountId, ...ticket });
  }

  @Get(':id')
  @ApiOkResponse({ schema: openApi(TicketView) })
  get(@CurrentViewer() viewer: Viewer, @Param('id') id: string) {
    return this.rpc.send('tickets.get', { accountId: viewer.accountId, id: ticketId(id) });
  }
}
