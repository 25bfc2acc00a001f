import { RpcClient } from '@helpdesk/kit';
import { Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf } from '../auth/csrf.js';
import type { InternalViewer } from '../auth/viewer.js';
import { pathId } from '../http/path-id.js';
import { fieldList, formField } from '../http/form-fields.js';
import { PageViews } from '../http/page-views.js';
import { AdminErrorFilter } from './admin-error.filter.js';
import { adminLayoutData, requireAdmin } from './admin-page.js';
import {
  contactName,
  firstPageHref,
  listQuery,
  nextPageHref,
  refusalOf,
  type FormRefusal,
} from './directory-pages.js';

const groupId = pathId('ACCESS_GROUP_NOT_FOUND', 'Access group');
const contactId = pathId('CONTACT_NOT_FOUND', 'Contact');

/** How many contacts a search for new members offers. */
const CANDIDATES = 10;

const NOTICES: Record<string, string> = {
  created: 'Access group created. Add its members below.',
  added: 'Members added. Those without a portal password are invited when the portal admits this group.',
  removed: 'Member removed.',
  resent: 'Invitation sent again.',
};

const STATUS_TEXT = { pending: 'Invitation pending', accepted: 'Accepted', failed: 'Invitation failed' };

/** "2026-11-27 06:46 UTC" */
const shownTime = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/**
 * Access groups (issue 8): the list with member counts and a form to create one; a group's page
 * lists its members with their invitation status, adds members found by a contact search, removes
 * them and sends an invitation again. Identity invites and logs out as the portal's access mode says.
 */
@ApiExcludeController()
@UseFilters(AdminErrorFilter)
@Controller('admin/access-groups')
export class AccessGroupsAdminController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly views: PageViews,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    await this.renderList(req, res, user, { name: '' });
  }

  @Post()
  async create(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    assertCsrf(req);
    const name = formField(req.body, 'name').trim();
    let group;
    try {
      group = await this.rpc.send('identity.accessGroups.create', { accountId: user.accountId, name });
    } catch (error) {
      const refusal = refusalOf(error);
      return this.renderList(req, res, user, { name, refusal }, refusal.status);
    }
    res.redirect(303, `/admin/access-groups/${group.id}?notice=created`);
  }

  @Get(':id')
  async members(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    await this.renderMembers(req, res, user, groupId(id));
  }

  @Post(':id/members')
  async add(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    assertCsrf(req);
    const group = groupId(id);
    const contactIds = fieldList(req.body, 'contactIds').map(contactId);
    if (contactIds.length === 0)
      return this.renderMembers(req, res, user, group, 'Choose at least one contact to add.', 400);
    await this.rpc.send('identity.accessGroups.addMembers', {
      accountId: user.accountId,
      groupId: group,
      contactIds,
    });
    res.redirect(303, `/admin/access-groups/${group}?notice=added`);
  }

  @Post(':id/members/:contactId/remove')
  async remove(
    @Param('id') id: string,
    @Param('contactId') member: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const user = requireAdmin(req, 'contacts');
    assertCsrf(req);
    const group = groupId(id);
    await this.rpc.send('identity.accessGroups.removeMembers', {
      accountId: user.accountId,
      groupId: group,
      contactIds: [contactId(member)],
    });
    res.redirect(303, `/admin/access-groups/${group}?notice=removed`);
  }

  @Post(':id/members/:contactId/resend-invitation')
  async resend(
    @Param('id') id: string,
    @Param('contactId') member: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const user = requireAdmin(req, 'contacts');
    assertCsrf(req);
    const group = groupId(id);
    await this.rpc.send('identity.accessGroups.resendInvitation', {
      accountId: user.accountId,
      groupId: group,
      contactId: contactId(member),
    });
    res.redirect(303, `/admin/access-groups/${group}?notice=resent`);
  }

  private async renderList(
    req: Request,
    res: Response,
    user: InternalViewer,
    state: { name: string; refusal?: FormRefusal },
    status = 200,
  ): Promise<void> {
    const groups = await this.rpc.send('identity.accessGroups.list', { accountId: user.accountId });
    this.views.render(
      res,
      'admin/access-groups.liquid',
      {
        ...adminLayoutData(req, user, { title: 'Access groups', section: 'contacts' }),
        groups,
        name: state.name,
        refusal: state.refusal?.message ?? null,
        nameError: state.refusal?.fields.name ?? null,
      },
      status,
    );
  }

  /** The group's page; `addError` says why adding did nothing. */
  private async renderMembers(
    req: Request,
    res: Response,
    user: InternalViewer,
    id: string,
    addError: string | null = null,
    status = 200,
  ): Promise<void> {
    const accountId = user.accountId;
    const { q, after } = listQuery(req.query);
    const [groups, page, candidates] = await Promise.all([
      this.rpc.send('identity.accessGroups.list', { accountId }),
      this.rpc.send('identity.accessGroups.members', { accountId, groupId: id, ...(after ? { after } : {}) }),
      q
        ? this.rpc.send('identity.contacts.list', { accountId, search: q, limit: CANDIDATES })
        : Promise.resolve(null),
    ]);
    // `members` above already answered ACCESS_GROUP_NOT_FOUND for a group that does not exist.
    const group = groups.find((candidate) => candidate.id === id)!;
    const path = `/admin/access-groups/${id}`;
    const notice = typeof req.query.notice === 'string' ? (NOTICES[req.query.notice] ?? null) : null;
    this.views.render(
      res,
      'admin/access-groups-members.liquid',
      {
        ...adminLayoutData(req, user, { title: group.name, section: 'contacts' }),
        group,
        notice,
        addError,
        q,
        candidates: candidates?.items.map((contact) => ({
          id: contact.id,
          name: contactName(contact),
          email: contact.email,
        })),
        members: page.items.map((member) => ({
          id: member.contact.id,
          name: contactName(member.contact),
          email: member.contact.email,
          status: member.invitationStatus,
          statusText: STATUS_TEXT[member.invitationStatus],
          invitedAt: member.invitedAt,
          invitedAtText: member.invitedAt ? shownTime(member.invitedAt) : null,
        })),
        nextHref: nextPageHref(path, q, page.nextCursor),
        firstHref: firstPageHref(path, q, after),
      },
      status,
    );
  }
}
