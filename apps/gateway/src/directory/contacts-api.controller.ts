import {
  ContactView,
  CreateContactRequest,
  ListContactsRequest,
  PageOf,
  UpdateContactRequest,
} from '@helpdesk/contracts';
import { parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Body, Controller, Get, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { CurrentViewer, RequirePermission, type InternalViewer } from '../auth/viewer.js';
import { openApi } from '../http/openapi.js';
import { ApiPageQuery } from '../inbox/page-query.js';
import { pathId } from '../http/path-id.js';

// The account comes from the session, never from the caller.
const CreateContactBody = CreateContactRequest.omit({ accountId: true }).strict();
const UpdateContactBody = UpdateContactRequest.omit({ accountId: true, id: true }).strict();
const ListContactsQuery = ListContactsRequest.omit({ accountId: true }).strict();

const contactId = pathId('CONTACT_NOT_FOUND', 'Contact');

/**
 * The account's contacts, for internal users with the `contacts` permission. An unknown
 * `primaryCompanyId` is 404 COMPANY_NOT_FOUND; property values are checked against the account's
 * contact properties (400 with a field per bad value); an email already used is 409 EMAIL_TAKEN.
 */
@ApiTags('contacts')
@Controller('api/v1/contacts')
@UseGuards(InternalUserGuard)
@RequirePermission('contacts')
export class ContactsApiController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiPageQuery()
  @ApiQuery({ name: 'search', required: false, description: 'part of the email, first or last name' })
  @ApiQuery({ name: 'companyId', required: false, description: 'only contacts of this primary company' })
  @ApiOkResponse({ schema: openApi(PageOf(ContactView)) })
  list(@CurrentViewer() viewer: InternalViewer, @Query() query: unknown) {
    return this.rpc.send('identity.contacts.list', {
      accountId: viewer.accountId,
      ...parseOrThrow(ListContactsQuery, query, 'query'),
    });
  }

  @Post()
  @ApiBody({ schema: openApi(CreateContactBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(ContactView) })
  create(@CurrentViewer() viewer: InternalViewer, @Body() body: unknown) {
    return this.rpc.send('identity.contacts.create', {
      accountId: viewer.accountId,
      ...parseOrThrow(CreateContactBody, body, 'contact'),
    });
  }

  @Get(':id')
  @ApiOkResponse({ schema: openApi(ContactView) })
  get(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string) {
    return this.rpc.send('identity.contacts.get', { accountId: viewer.accountId, id: contactId(id) });
  }

  /** `properties` are merged into the contact's values; a null value clears one. */
  @Patch(':id')
  @ApiBody({ schema: openApi(UpdateContactBody, 'input') })
  @ApiOkResponse({ schema: openApi(ContactView) })
  update(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string, @Body() body: unknown) {
    return this.rpc.send('identity.contacts.update', {
      accountId: viewer.accountId,
      id: contactId(id),
      ...parseOrThrow(UpdateContactBody, body, 'contact'),
    });
  }
}
