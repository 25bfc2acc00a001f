import type { RpcPayload } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable } from '@nestjs/common';
import { IDENTITY_CONFIG, type IdentityConfig } from '../config.js';
import { Contact } from '../contacts/contact.entity.js';
import { toContactView } from '../contacts/contacts.service.js';
import { PortalsService } from '../portals/portals.service.js';
import { OidcClient, type OidcIdentity, type OidcProviderSettings } from '../sso/oidc-client.js';
import { ContactLogin } from './contact-login.entity.js';
import { PortalLoginsService } from './portal-logins.service.js';
import { SsoLink } from './sso-link.entity.js';

/** Contact emails are stored trimmed and lower-cased; providers send them as the user typed them. */
const normalise = (email: string | null) => email?.trim().toLowerCase() ?? null;

/** Portal login through the account's OpenID provider (SPEC S10), linking provider identities to contacts. */
@Injectable()
export class SsoLoginsService {
  constructor(
    private readonly em: EntityManager,
    private readonly portals: PortalsService,
    private readonly logins: PortalLoginsService,
    private readonly oidc: OidcClient,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async start({ accountId, redirectUri }: RpcPayload<'identity.sso.start'>) {
    return this.oidc.start(await this.provider(accountId), redirectUri);
  }

  async complete({ accountId, callbackUrl, secrets }: RpcPayload<'identity.sso.complete'>) {
    const identity = await this.oidc.complete(await this.provider(accountId), callbackUrl, secrets);
    const contact = await this.contactFor(accountId, identity);
    const login =
      (await this.em.findOne(ContactLogin, { contactId: contact.id, accountId })) ??
      this.em.create(ContactLogin, { contactId: contact.id, accountId });
    // The provider vouched for this very address (a pending self-registration counts as verified now).
    if (identity.emailVerified && normalise(identity.email) === contact.email)
      login.emailVerifiedAt ??= new Date();
    await this.em.flush();
    await this.logins.assertMayEnter(contact, login);
    return { contact: toContactView(contact) };
  }

  /**
   * (issuer, subject) names one contact. The first time, a verified email finds the contact; under
   * self-registration a verified newcomer becomes a contact. An unverified email never links.
   */
  private async contactFor(accountId: string, identity: OidcIdentity): Promise<Contact> {
    const link = await this.em.findOne(SsoLink, {
      accountId,
      issuer: identity.issuer,
      subject: identity.subject,
    });
    if (link) {
      const linked = await this.em.findOne(Contact, { id: link.contactId, accountId });
      if (linked) return linked;
    }
    if (!identity.email || !identity.emailVerified) {
      throw new AppError(
        'PORTAL_ACCESS_DENIED',
        'Your sign-in provider did not confirm your email address, so we cannot match you to a customer',
      );
    }
    const email = identity.email.trim().toLowerCase();
    let contact = await this.em.findOne(Contact, { accountId, email });
    if (!contact) {
      const portal = await this.portals.portalOf(accountId);
      if (portal.access.mode !== 'self_registration') {
        throw new AppError('PORTAL_ACCESS_DENIED', 'Your account has not been given access to this portal');
      }
      const [firstName, ...rest] = (identity.name ?? '').trim().split(/\s+/);
      contact = this.em.create(Contact, {
        accountId,
        email,
        firstName: firstName ?? '',
        lastName: rest.join(' '),
      });
    }
    this.em.create(SsoLink, {
      accountId,
      contactId: contact.id,
      issuer: identity.issuer,
      subject: identity.subject,
    });
    await this.em.flush();
    return contact;
  }

  private async provider(accountId: string): Promise<OidcProviderSettings> {
    const portal = await this.portals.portalOf(accountId);
    const { authentication, oidc } = portal.access;
    if (authentication !== 'oidc' || !oidc || !portal.oidcClientSecret) {
      throw new AppError('SSO_FAILED', 'Single sign-on is not set up for this portal');
    }
    return {
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: portal.oidcClientSecret,
      allowInsecureHttp: this.config.OIDC_ALLOW_INSECURE_HTTP,
    };
  }
}
