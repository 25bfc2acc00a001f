import {
  Accepted,
  AccessGroupMemberView,
  AccessGroupView,
  ChangeMembersRequest,
  CreateAccessGroupRequest,
  PageOf,
} from '@helpdesk/contracts';
import { parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { CurrentViewer, RequirePermission, type InternalViewer } from '../auth/viewer.js';
import { openApi } from '../http/openapi.js';
import { ApiPageQuery, PageQuery } from '../inbox/page-query.js';
import { pathId } from '../http/path-id.js';

// The account comes from the session, never from the caller.
const CreateAccessGroupBody = CreateAccessGroupRequest.omit({ accountId: true }).strict();
const ChangeMembersBody = ChangeMembersRequest.omit({ accountId: true, groupId: true }).strict();

const groupId = pathId('ACCESS_GROUP_NOT_FOUND', 'Access group');
const contactId = pathId('CONTACT_NOT_FOUND', 'Contact');

/**
 * The account's access groups and their members, for internal users with the `contacts` permission.
 * Members are removed with `POST …/members/remove`: the gateway's body parsers skip DELETE requests,
 * and a list of contacts needs a body.
 */
@ApiTags('contacts')
@Controller('api/v1/access-groups')
@UseGuards(InternalUserGuard)
@RequirePermission('contacts')
export class AccessGroupsApiController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOkResponse({ schema: openApi(z.array(AccessGroupView)) })
  list(@CurrentViewer() viewer: InternalViewer) {
    return this.rpc.send('identity.accessGroups.list', { accountId: viewer.accountId });
  }

  /** A name already used is 409 CONFLICT. */
  @Post()
  @ApiBody({ schema: openApi(CreateAccessGroupBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(AccessGroupView) })
  create(@CurrentViewer() viewer: InternalViewer, @Body() body: unknown) {
    return this.rpc.send('identity.accessGroups.create', {
      accountId: viewer.accountId,
      ...parseOrThrow(CreateAccessGroupBody, body, 'access group'),
    });
  }

  @Get(':id/members')
  @ApiPageQuery()
  @ApiOkResponse({ schema: openApi(PageOf(AccessGroupMemberView)) })
  members(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string, @Query() query: unknown) {
    return this.rpc.send('identity.accessGroups.members', {
      accountId: viewer.accountId,
      groupId: groupId(id),
      ...parseOrThrow(PageQuery, query, 'query'),
    });
  }

  @Post(':id/members')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add contacts to the group',
    description:
      'Members already in the group stay as they are. When the portal admits this group, the new members ' +
      'without a password are invited by mail. Any unknown contact: 404 CONTACT_NOT_FOUND, nothing added.',
  })
  @ApiBody({ schema: openApi(ChangeMembersBody, 'input') })
  @ApiOkResponse({ schema: openApi(AccessGroupView) })
  addMembers(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string, @Body() body: unknown) {
    return this.rpc.send('identity.accessGroups.addMembers', {
      accountId: viewer.accountId,
      groupId: groupId(id),
      ...parseOrThrow(ChangeMembersBody, body, 'members'),
    });
  }

  @Post(':id/members/remove')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Remove contacts from the group',
    description:
      'Contacts of the account that are not members are ignored; any id that is no contact of the account: ' +
      '404 CONTACT_NOT_FOUND, nothing removed. Whoever loses access to the portal is logged out there.',
  })
  @ApiBody({ schema: openApi(ChangeMembersBody, 'input') })
  @ApiOkResponse({ schema: openApi(AccessGroupView) })
  removeMembers(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string, @Body() body: unknown) {
    return this.rpc.send('identity.accessGroups.removeMembers', {
      accountId: viewer.accountId,
      groupId: groupId(id),
      ...parseOrThrow(ChangeMembersBody, body, 'members'),
    });
  }

  @Post(':id/members/:contactId/resend-invitation')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Mail the member a new portal invitation',
    description:
      'Only a member without a password is mailed. A contact that is not a member: 404 CONTACT_NOT_FOUND.',
  })
  @ApiAcceptedResponse({ schema: openApi(Accepted) })
  resendInvitation(
    @CurrentViewer() viewer: InternalViewer,
    @Param('id') id: string,
    @Param('contactId') memberId: string,
  ) {
    return this.rpc.send('identity.accessGroups.resendInvitation', {
      accountId: viewer.accountId,
      groupId: groupId(id),
      contactId: contactId(memberId),
    });
  }
}
