import { ContactPropertyView, CreateContactPropertyRequest } from '@helpdesk/contracts';
import { parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { CurrentViewer, RequirePermission, type InternalViewer } from '../auth/viewer.js';
import { openApi } from '../http/openapi.js';

// The account comes from the session, never from the caller.
const CreateContactPropertyBody = CreateContactPropertyRequest.omit({ accountId: true }).strict();

/**
 * The account's contact properties (the built-in ones first), for internal users with the
 * `contacts` permission. A name already used, or a built-in one, is 409 CONFLICT.
 */
@ApiTags('contacts')
@Controller('api/v1/contact-properties')
@UseGuards(InternalUserGuard)
@RequirePermission('contacts')
export class ContactPropertiesApiController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOkResponse({ schema: openApi(z.array(ContactPropertyView)) })
  list(@CurrentViewer() viewer: InternalViewer) {
    return this.rpc.send('identity.contactProperties.list', { accountId: viewer.accountId });
  }

  @Post()
  @ApiBody({ schema: openApi(CreateContactPropertyBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(ContactPropertyView) })
  create(@CurrentViewer() viewer: InternalViewer, @Body() body: unknown) {
    return this.rpc.send('identity.contactProperties.create', {
      accountId: viewer.accountId,
      ...parseOrThrow(CreateContactPropertyBody, body, 'contact property'),
    });
  }
}
