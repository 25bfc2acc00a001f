import type { RpcPayload } from '@helpdesk/contracts';
import { AppError, portalPageUrl, RpcClient } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AccessGroupMember } from '../access-groups/access-group-member.entity.js';
import { IDENTITY_CONFIG, type IdentityConfig } from '../config.js';
import { Contact } from '../contacts/contact.entity.js';
import { toContactView } from '../contacts/contacts.service.js';
import { Domain } from '../domains/domain.entity.js';
import { EmailsService } from '../emails/emails.service.js';
import { Portal } from '../portals/portal.entity.js';
import { PortalsService } from '../portals/portals.service.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../users/passwords.js';
import { ConsentRecord } from './consent-record.entity.js';
import { ContactLogin } from './contact-login.entity.js';
import { LoginToken, type LoginTokenPurpose } from './login-token.entity.js';
import { assertAcceptablePassword } from './password-policy.js';

const HOUR = 3_600_000;
const tokenLifetime: Record<LoginTokenPurpose, number> = {
  invitation: 7 * 24 * HOUR,
  verification: 48 * HOUR,
  password_reset: 1 * HOUR,
};
const tokenPage: Record<
  LoginTokenPurpose,
  { page: string; kind: 'invitation' | 'verification' | 'password-reset' }
> = {
  invitation: { page: 'accept-invitation', kind: 'invitation' },
  verification: { page: 'verify-email', kind: 'verification' },
  password_reset: { page: 'reset-password', kind: 'password-reset' },
};

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Everything about a contact getting into the portal: invitations, self-registration with consent,
 * email verification, password login and reset. Answers to register, reset and failed logins never
 * tell whether an email is known.
 */
@Injectable()
export class PortalLoginsService {
  constructor(
    private readonly em: EntityManager,
    private readonly portals: PortalsService,
    private readonly emails: EmailsService,
    private readonly rpc: RpcClient,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async login({ accountId, email, password }: RpcPayload<'identity.portal.login'>) {
    const contact = await this.em.findOne(Contact, { accountId, email });
    const login = contact
      ? await this.em.findOne(
          ContactLogin,
          { contactId: contact.id, accountId },
          { fields: ['*', 'passwordHash'] as never },
        )
      : null;
    const valid = login?.passwordHash
      ? await verifyPassword(login.passwordHash, password)
      : (await burnPasswordCheck(password), false);
    if (!contact || !login || !valid)
      throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect');
    await this.assertMayEnter(contact, login);
    return { contact: toContactView(contact) };
  }

  /**
   * Self-registration: always the same answer; the email decides what happens. The chosen password is
   * kept (until the address is verified) only when the registration creates the contact. An address
   * that is a contact's already (a customer who only emailed support, a form submission, a registered
   * customer) may not be the registrant's: had the owner opened the unexpected mail, the registrant's
   * password would have let them in to the owner's tickets. So the owner gets a link to choose a
   * password of their own (the reset link, which also confirms the address) and the registrant's is
   * dropped.
   */
  async register(request: RpcPayload<'identity.portal.register'>) {
    const { accountId, domainId, email, firstName, lastName, password, consent } = request;
    const portal = await this.portals.portalOf(accountId);
    const domain = await this.em.findOne(Domain, { id: domainId, accountId });
    if (!domain) throw new AppError('DOMAIN_NOT_FOUND', `Domain ${domainId} not found`);
    if (!portal.general.enabled || portal.access.mode !== 'self_registration') {
      throw new AppError('PORTAL_ACCESS_DENIED', 'This portal does not accept registrations');
    }
    const notice = portal.consent.notices.find((candidate) => candidate.domainId === domainId);
    if (notice && !consent) {
      throw new AppError('VALIDATION_FAILED', 'Consent is required to register', {
        consent: ['must be accepted to register'],
      });
    }
    assertAcceptablePassword(password);
    // Hash before looking anything up, so known and unknown emails take the same time.
    const pendingPasswordHash = await hashPassword(password);
    const existing = await this.em.findOne(Contact, { accountId, email });
    const contact = existing ?? this.em.create(Contact, { accountId, email, firstName, lastName });
    const login = existing
      ? await this.em.findOne(ContactLogin, { contactId: existing.id, accountId })
      : null;
    if (!login) this.em.create(ContactLogin, { contactId: contact.id, accountId });
    if (notice && consent) {
      this.em.create(ConsentRecord, {
        accountId,
        contactId: contact.id,
        domainId,
        noticeText: notice.text,
        checkboxText: notice.checkboxText,
      });
    }
    await this.em.flush();
    if (existing) await this.sendToken(contact, 'password_reset', portal, domain);
    else await this.sendToken(contact, 'verification', portal, domain, pendingPasswordHash);
    return { accepted: true as const };
  }

  async verifyEmail({ accountId, token }: RpcPayload<'identity.portal.verifyEmail'>) {
    const { contact, login, record } = await this.useToken(accountId, token, 'verification');
    login.emailVerifiedAt ??= new Date();
    // A password set meanwhile (by a reset link) stays: an old verification link must not replace it.
    if (record.pendingPasswordHash && !login.passwordHash) {
      login.passwordHash = record.pendingPasswordHash;
      login.passwordChangedAt = new Date();
    }
    await this.em.flush();
    await this.assertMayEnter(contact, login);
    return { contact: toContactView(contact) };
  }

  async acceptInvitation({ accountId, token, password }: RpcPayload<'identity.portal.acceptInvitation'>) {
    assertAcceptablePassword(password);
    const { contact, login } = await this.useToken(accountId, token, 'invitation');
    login.passwordHash = await hashPassword(password);
    login.passwordChangedAt = new Date();
    login.emailVerifiedAt ??= new Date();
    await this.em.nativeUpdate(
      AccessGroupMember,
      { accountId, contactId: contact.id },
      { invitationStatus: 'accepted' },
    );
    await this.em.flush();
    await this.assertMayEnter(contact, login);
    return { contact: toContactView(contact) };
  }

  async requestPasswordReset({
    accountId,
    email,
    domainId,
  }: RpcPayload<'identity.portal.requestPasswordReset'>) {
    const portal = await this.portals.portalOf(accountId);
    const contact = await this.em.findOne(Contact, { accountId, email });
    const login = contact ? await this.em.findOne(ContactLogin, { contactId: contact.id }) : null;
    const domain = await this.mailDomain(accountId, domainId);
    if (contact && login && domain) await this.sendToken(contact, 'password_reset', portal, domain);
    return { accepted: true as const };
  }

  async resetPassword({ accountId, token, password }: RpcPayload<'identity.portal.resetPassword'>) {
    assertAcceptablePassword(password);
    const { contact, login } = await this.useToken(accountId, token, 'password_reset');
    login.passwordHash = await hashPassword(password);
    login.passwordChangedAt = new Date();
    login.emailVerifiedAt ??= new Date(); // the link reached the inbox
    // Other reset links die with this one.
    await this.em.nativeUpdate(
      LoginToken,
      { accountId, contactId: contact.id, purpose: 'password_reset', usedAt: null },
      { usedAt: new Date() },
    );
    await this.em.flush();
    await this.revokeSessions(accountId, contact.id);
    await this.assertMayEnter(contact, login);
    return { contact: toContactView(contact) };
  }

  /** Sends portal invitations to the given members of an access group that have no password yet. */
  async invite(accountId: string, contactIds: string[]): Promise<void> {
    if (contactIds.length === 0) return;
    const portal = await this.portals.portalOf(accountId);
    const domain = await this.mailDomain(accountId);
    const contacts = await this.em.find(Contact, { accountId, id: { $in: contactIds } });
    const logins = new Map(
      (
        await this.em.find(
          ContactLogin,
          { accountId, contactId: { $in: contactIds } },
          { fields: ['*', 'passwordHash'] as never },
        )
      ).map((l) => [l.contactId, l]),
    );
    for (const contact of contacts) {
      if (logins.get(contact.id)?.passwordHash) continue;
      if (!logins.has(contact.id)) this.em.create(ContactLogin, { contactId: contact.id, accountId });
      const sent = domain
        ? await this.sendToken(contact, 'invitation', portal, domain).then(
            () => true,
            () => false,
          )
        : false;
      await this.em.nativeUpdate(
        AccessGroupMember,
        { accountId, contactId: contact.id, invitationStatus: { $ne: 'accepted' } },
        { invitationStatus: sent ? 'pending' : 'failed', invitedAt: new Date() },
      );
    }
    await this.em.flush();
  }

  async revokeSessions(accountId: string, contactId: string): Promise<void> {
    await this.rpc.emit('contact.sessions.revoked', {
      accountId,
      contactId,
      occurredAt: new Date().toISOString(),
    });
  }

  /** A correct password is not enough: the portal must be on and the contact allowed in by its access mode. */
  async assertMayEnter(contact: Contact, login: ContactLogin): Promise<void> {
    const portal = await this.portals.portalOf(contact.accountId);
    if (!portal.general.enabled) throw new AppError('PORTAL_ACCESS_DENIED', 'The portal is switched off');
    if (portal.access.mode === 'access_groups') {
      const member = await this.em.count(AccessGroupMember, {
        accountId: contact.accountId,
        contactId: contact.id,
        groupId: { $in: portal.access.accessGroupIds },
      });
      if (member === 0)
        throw new AppError('PORTAL_ACCESS_DENIED', 'Your account has not been given access to this portal');
    } else if (!login.emailVerifiedAt) {
      throw new AppError(
        'PORTAL_ACCESS_DENIED',
        'Confirm your email address with the link we sent you first',
      );
    }
  }

  /** The domain a mail speaks the language of and links to: the one asked for when it is this account's, else the primary. */
  private async mailDomain(accountId: string, domainId?: string): Promise<Domain | null> {
    const asked = domainId ? await this.em.findOne(Domain, { id: domainId, accountId }) : null;
    return asked ?? this.em.findOne(Domain, { accountId, primary: true });
  }

  private async sendToken(
    contact: Contact,
    purpose: LoginTokenPurpose,
    portal: Portal,
    domain: Domain,
    pendingPasswordHash?: string,
  ) {
    const token = randomBytes(32).toString('base64url');
    const record = this.em.create(LoginToken, {
      accountId: contact.accountId,
      contactId: contact.id,
      purpose,
      tokenHash: sha256(token),
      expiresAt: new Date(Date.now() + tokenLifetime[purpose]),
      pendingPasswordHash: pendingPasswordHash ?? null,
    });
    await this.em.flush();
    const { page, kind } = tokenPage[purpose];
    await this.emails.send(
      {
        kind,
        to: contact.email,
        locale: domain.language,
        params: {
          portalName: portal.general.name,
          link: portalPageUrl(this.config, domain.hostname, portal.slug, page, { token }),
          ...(contact.firstName ? { name: contact.firstName } : {}),
          expiresInHours: Math.round(tokenLifetime[purpose] / HOUR),
        },
      },
      { idempotencyKey: `login-token-${record.id}` },
    );
  }

  private async useToken(accountId: string, token: string, purpose: LoginTokenPurpose) {
    const record = await this.em.findOne(
      LoginToken,
      { accountId, tokenHash: sha256(token), purpose },
      { fields: ['*', 'pendingPasswordHash'] as never },
    );
    if (!record || record.usedAt || record.expiresAt.getTime() < Date.now()) {
      throw new AppError('TOKEN_INVALID', 'This link is invalid or has expired; ask for a new one');
    }
    const contact = await this.em.findOne(Contact, { id: record.contactId, accountId });
    const login = await this.em.findOne(ContactLogin, { contactId: record.contactId, accountId });
    if (!contact || !login)
      throw new AppError('TOKEN_INVALID', 'This link is invalid or has expired; ask for a new one');
    record.usedAt = new Date();
    return { contact, login, record };
  }
}
