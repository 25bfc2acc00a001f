import type { Page, RpcPayload } from '@helpdesk/contracts';
import { AppError, decodeCursor, encodeCursor, isUuid } from '@helpdesk/kit';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { requireAccount } from '../accounts/require-account.js';
import { Contact } from '../contacts/contact.entity.js';
import { toContactView } from '../contacts/contacts.service.js';
import { PortalLoginsService } from '../logins/portal-logins.service.js';
import { PortalsService } from '../portals/portals.service.js';
import { AccessGroupMember } from './access-group-member.entity.js';
import { AccessGroup } from './access-group.entity.js';

@Injectable()
export class AccessGroupsService {
  constructor(
    private readonly em: EntityManager,
    private readonly portals: PortalsService,
    private readonly logins: PortalLoginsService,
  ) {}

  async create({ accountId, name }: RpcPayload<'identity.accessGroups.create'>) {
    await requireAccount(this.em, accountId);
    const group = this.em.create(AccessGroup, { accountId, name });
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new AppError('CONFLICT', `An access group named "${name}" exists`, {
          name: ['is already used'],
        });
      }
      throw error;
    }
    return this.view(group);
  }

  async list({ accountId }: RpcPayload<'identity.accessGroups.list'>) {
    const groups = await this.em.find(AccessGroup, { accountId }, { orderBy: { name: 'asc' } });
    return Promise.all(groups.map((group) => this.view(group)));
  }

  async ofContact({ accountId, contactId }: RpcPayload<'identity.accessGroups.ofContact'>) {
    const memberships = await this.em.find(
      AccessGroupMember,
      { accountId, contactId },
      { fields: ['groupId'] },
    );
    const groups = await this.em.find(
      AccessGroup,
      { accountId, id: { $in: memberships.map((membership) => membership.groupId) } },
      { orderBy: { name: 'asc' } },
    );
    return Promise.all(groups.map((group) => this.view(group)));
  }

  /** Adds contacts; when the portal admits this group, those without a password are invited. */
  async addMembers({ accountId, groupId, contactIds }: RpcPayload<'identity.accessGroups.addMembers'>) {
    const group = await this.find(accountId, groupId);
    const ids = await this.contactsOf(accountId, contactIds);
    const existing = new Set(
      (await this.em.find(AccessGroupMember, { groupId, contactId: { $in: ids } })).map((m) => m.contactId),
    );
    const added = ids.filter((id) => !existing.has(id));
    for (const contactId of added) this.em.create(AccessGroupMember, { groupId, contactId, accountId });
    await this.em.flush();
    const portal = await this.portals.portalOf(accountId);
    if (portal.access.mode === 'access_groups' && portal.access.accessGroupIds.includes(groupId))
      await this.logins.invite(accountId, added);
    return this.view(group);
  }

  /**
   * Removes contacts; anyone who thereby loses access to the portal has their sessions ended. A
   * contact of the account who is no member is ignored (removing twice is fine); an id that names
   * no contact of the account is refused like adding it is, not answered as if removed.
   */
  async removeMembers({ accountId, groupId, contactIds }: RpcPayload<'identity.accessGroups.removeMembers'>) {
    const group = await this.find(accountId, groupId);
    await this.contactsOf(accountId, contactIds);
    const removed = (
      await this.em.find(AccessGroupMember, { accountId, groupId, contactId: { $in: contactIds } })
    ).map((member) => member.contactId);
    await this.em.nativeDelete(AccessGroupMember, { accountId, groupId, contactId: { $in: removed } });
    const portal = await this.portals.portalOf(accountId);
    if (portal.access.mode === 'access_groups' && portal.access.accessGroupIds.includes(groupId)) {
      const stillIn = new Set(
        (
          await this.em.find(AccessGroupMember, {
            accountId,
            contactId: { $in: removed },
            groupId: { $in: portal.access.accessGroupIds },
          })
        ).map((m) => m.contactId),
      );
      for (const contactId of removed)
        if (!stillIn.has(contactId)) await this.logins.revokeSessions(accountId, contactId);
    }
    return this.view(group);
  }

  async members({ accountId, groupId, after, limit }: RpcPayload<'identity.accessGroups.members'>) {
    await this.find(accountId, groupId);
    const afterId = after === undefined ? undefined : decodeCursor(after, 1, ([id]) => isUuid(id))[0];
    const members = await this.em.find(
      AccessGroupMember,
      { accountId, groupId, ...(afterId ? { contactId: { $gt: afterId } } : {}) },
      { orderBy: { contactId: 'asc' }, limit: limit + 1 },
    );
    const page = members.slice(0, limit);
    const contacts = new Map(
      (await this.em.find(Contact, { accountId, id: { $in: page.map((m) => m.contactId) } })).map((c) => [
        c.id,
        c,
      ]),
    );
    const result: Page<{
      contact: ReturnType<typeof toContactView>;
      invitationStatus: AccessGroupMember['invitationStatus'];
      invitedAt: string | null;
    }> = {
      items: page.map((member) => ({
        contact: toContactView(contacts.get(member.contactId)!),
        invitationStatus: member.invitationStatus,
        invitedAt: member.invitedAt?.toISOString() ?? null,
      })),
      nextCursor: members.length > limit ? encodeCursor([page.at(-1)!.contactId]) : null,
    };
    return result;
  }

  async resendInvitation({
    accountId,
    groupId,
    contactId,
  }: RpcPayload<'identity.accessGroups.resendInvitation'>) {
    const member = await this.em.findOne(AccessGroupMember, { accountId, groupId, contactId });
    if (!member)
      throw new AppError('CONTACT_NOT_FOUND', `Contact ${contactId} is not a member of this group`);
    await this.logins.invite(accountId, [contactId]);
    return { accepted: true as const };
  }

  /** The distinct ids, each a contact of this account; CONTACT_NOT_FOUND naming the others, if any. */
  private async contactsOf(accountId: string, contactIds: string[]): Promise<string[]> {
    const ids = [...new Set(contactIds)];
    const contacts = await this.em.find(Contact, { accountId, id: { $in: ids } }, { fields: ['id'] });
    if (contacts.length !== ids.length) {
      const known = new Set(contacts.map((c) => c.id));
      throw new AppError('CONTACT_NOT_FOUND', 'Some contacts were not found', {
        contactIds: ids.filter((id) => !known.has(id)).map((id) => `${id} is not a contact of this account`),
      });
    }
    return ids;
  }

  private async find(accountId: string, id: string) {
    const group = await this.em.findOne(AccessGroup, { id, accountId });
    if (!group) throw new AppError('ACCESS_GROUP_NOT_FOUND', `Access group ${id} not found`);
    return group;
  }

  private async view(group: AccessGroup) {
    const memberCount = await this.em.count(AccessGroupMember, { groupId: group.id });
    return { id: group.id, accountId: group.accountId, name: group.name, memberCount };
  }
}
