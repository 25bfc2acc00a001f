import {
  filterProblems,
  PortalSections,
  type FieldErrors,
  type Page,
  type PortalSection,
  type PortalSettings,
  type PortalView,
  type ResolvedPortal,
  type RpcPayload,
  type ViewerScope,
} from '@helpdesk/contracts';
import {
  AppError,
  decodeCursor,
  encodeCursor,
  isIsoInstant,
  isUuid,
  parseOrThrow,
  RpcClient,
} from '@helpdesk/kit';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { AccessGroup } from '../access-groups/access-group.entity.js';
import { requireAccount } from '../accounts/require-account.js';
import { contactValues, filterDefinitions } from '../contacts/contact-properties.js';
import { ContactProperty } from '../contacts/contact-property.entity.js';
import { Contact } from '../contacts/contact.entity.js';
import { Domain } from '../domains/domain.entity.js';
import { matchesFilter } from '../segments/contact-filter.js';
import { PortalAudit } from './portal-audit.entity.js';
import { defaultPortalSettings } from './portal-defaults.js';
import { Portal } from './portal.entity.js';

const sectionNames = Object.keys(PortalSections) as PortalSection[];

const settingsOf = (portal: Portal): PortalSettings =>
  Object.fromEntries(sectionNames.map((section) => [section, portal[section]])) as PortalSettings;

/** Puts a problem list under the request's `settings.` path, as the admin form shows it. */
const underSettings = (problems: FieldErrors): FieldErrors =>
  Object.fromEntries(Object.entries(problems).map(([path, messages]) => [`settings.${path}`, messages]));

/** What `viewerScope` reads of a contact and its account's portal (none when the portal was never made). */
interface ScopeRow {
  companyId: string | null;
  permissions: PortalSettings['permissions'] | null;
}

@Injectable()
export class PortalsService {
  constructor(
    private readonly em: EntityManager,
    private readonly rpc: RpcClient,
  ) {}

  /** The account's portal; every account has one, created with defaults the first time it is asked for. */
  async portalOf(accountId: string): Promise<Portal> {
    const existing = await this.em.findOne(Portal, { accountId });
    if (existing) return existing;
    await requireAccount(this.em, accountId);
    const settings = defaultPortalSettings();
    const portal = this.em.create(Portal, { accountId, slug: settings.general.slug, ...settings });
    try {
      await this.em.flush();
    } catch (error) {
      // Another request created it first: use that one.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      this.em.clear();
      return this.em.findOneOrFail(Portal, { accountId });
    }
    return portal;
  }

  async view(portal: Portal): Promise<PortalView> {
    const domains = await this.em.find(
      Domain,
      { accountId: portal.accountId },
      { orderBy: { primary: 'desc', hostname: 'asc' } },
    );
    return {
      id: portal.id,
      accountId: portal.accountId,
      ...settingsOf(portal),
      access: { ...portal.access, oidcSecretSet: portal.oidcClientSecret !== null },
      domains: domains.map((d) => ({
        id: d.id,
        hostname: d.hostname,
        language: d.language,
        primary: d.primary,
      })),
      updatedAt: portal.updatedAt.toISOString(),
    };
  }

  async get({ accountId }: RpcPayload<'identity.portal.get'>): Promise<PortalView> {
    return this.view(await this.portalOf(accountId));
  }

  /** Validates one section, stores it with an audit entry and announces the change. */
  async update({
    accountId,
    actorUserId,
    section,
    settings,
  }: RpcPayload<'identity.portal.update'>): Promise<PortalView> {
    const parsed = parseOrThrow(PortalSections[section], settings, `${section} settings`, 'settings');
    const problems = await this.crossCheck(accountId, section, parsed);
    if (Object.keys(problems).length) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Invalid ${section} settings: ${Object.values(problems).flat().join('; ')}`,
        underSettings(problems),
      );
    }
    const portal = await this.portalOf(accountId);
    const before = portal[section];
    let after: unknown = parsed;
    if (section === 'access') {
      // The client secret is write-only: kept in its own column, left unchanged when omitted.
      const { oidc, ...access } = parsed as PortalSettings['access'];
      const { clientSecret, ...oidcPublic } = oidc ?? { clientSecret: undefined };
      if (clientSecret !== undefined) portal.oidcClientSecret = clientSecret;
      if (!oidc) portal.oidcClientSecret = null;
      after = { ...access, oidc: oidc ? oidcPublic : null };
    }
    (portal as unknown as Record<PortalSection, unknown>)[section] = after;
    if (section === 'general') portal.slug = (parsed as PortalSettings['general']).slug;
    this.em.create(PortalAudit, { accountId, portalId: portal.id, actorUserId, section, before, after });
    await this.em.flush();
    await this.rpc.emit(
      'portal.updated',
      {
        accountId,
        portalId: portal.id,
        section,
        occurredAt: new Date().toISOString(),
      },
      { routed: true },
    );
    return this.view(portal);
  }

  async audit({ accountId, after, limit }: RpcPayload<'identity.portal.audit'>) {
    const before = after
      ? (([at, id]) => ({ at: new Date(at), id }))(
          decodeCursor(after, 2, ([at, id]) => isIsoInstant(at) && isUuid(id)),
        )
      : undefined;
    const entries = await this.em.find(
      PortalAudit,
      {
        accountId,
        ...(before ? { $or: [{ at: { $lt: before.at } }, { at: before.at, id: { $lt: before.id } }] } : {}),
      },
      { orderBy: { at: 'desc', id: 'desc' }, limit: limit + 1 },
    );
    const items = entries.slice(0, limit);
    const last = items.at(-1);
    const page: Page<{
      id: string;
      actorUserId: string | null;
      section: PortalSection;
      before: unknown;
      after: unknown;
      at: string;
    }> = {
      items: items.map((entry) => ({
        id: entry.id,
        actorUserId: entry.actorUserId,
        section: entry.section as PortalSection,
        before: entry.before,
        after: entry.after,
        at: entry.at.toISOString(),
      })),
      nextCursor: entries.length > limit && last ? encodeCursor([last.at.toISOString(), last.id]) : null,
    };
    return page;
  }

  /** Finds the portal for a request by its host and first path segment (called on every portal request). */
  async resolve({ host, slug }: RpcPayload<'identity.portal.resolve'>): Promise<ResolvedPortal> {
    const hostname = host.replace(/:\d+$/, '');
    const domain = await this.em.findOne(Domain, { hostname });
    const portal = domain ? await this.em.findOne(Portal, { accountId: domain.accountId, slug }) : null;
    if (!domain || !portal) throw new AppError('PORTAL_NOT_FOUND', `No portal at ${hostname}/${slug}`);
    return {
      ...(await this.view(portal)),
      domain: {
        id: domain.id,
        hostname: domain.hostname,
        language: domain.language,
        primary: domain.primary,
      },
    };
  }

  async addDomain({
    accountId,
    hostname,
    language,
    primary,
  }: RpcPayload<'identity.domains.add'>): Promise<PortalView> {
    await requireAccount(this.em, accountId);
    const first = (await this.em.count(Domain, { accountId })) === 0;
    if (primary && !first) await this.em.nativeUpdate(Domain, { accountId }, { primary: false });
    this.em.create(Domain, { accountId, hostname, language, primary: primary || first });
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new AppError('CONFLICT', `${hostname} is already in use`, { hostname: ['is already in use'] });
      }
      throw error;
    }
    return this.announceDomains(accountId);
  }

  async updateDomain({
    accountId,
    id,
    language,
    primary,
  }: RpcPayload<'identity.domains.update'>): Promise<PortalView> {
    const domain = await this.findDomain(accountId, id);
    if (language) domain.language = language;
    if (primary) {
      await this.em.nativeUpdate(Domain, { accountId, id: { $ne: id } }, { primary: false });
      domain.primary = true;
    }
    await this.em.flush();
    return this.announceDomains(accountId);
  }

  async removeDomain({ accountId, id }: RpcPayload<'identity.domains.remove'>): Promise<PortalView> {
    const domain = await this.findDomain(accountId, id);
    if (domain.primary)
      throw new AppError('CONFLICT', 'Make another domain primary before removing this one');
    this.em.remove(domain);
    // Its consent notice goes with it.
    const portal = await this.portalOf(accountId);
    portal.consent = { notices: portal.consent.notices.filter((notice) => notice.domainId !== id) };
    await this.em.flush();
    return this.announceDomains(accountId);
  }

  /**
   * SPEC S4: own tickets only; the primary company's too; or the company's only for contacts in the
   * segment. The gateway keeps the answer until `contact.updated` or `portal.updated` says it may
   * have changed: the contact's company and the portal's permissions are read in one statement,
   * without entities; the segment's contact and definitions only when the mode needs them.
   */
  async viewerScope({ accountId, contactId }: RpcPayload<'identity.viewer.scope'>): Promise<ViewerScope> {
    const [row] = await this.em.getConnection().execute<ScopeRow[]>(
      `select c.primary_company_id as "companyId", p.permissions
         from identity.contact c left join identity.portal p on p.account_id = c.account_id
        where c.account_id = ? and c.id = ?`,
      [accountId, contactId],
    );
    if (!row) throw new AppError('CONTACT_NOT_FOUND', `Contact ${contactId} not found`);
    // No portal yet: it is made with the defaults, as on every other first read.
    const permissions = row.permissions ?? (await this.portalOf(accountId)).permissions;
    const { companyId } = row;
    let seesCompanyTickets = companyId !== null && permissions.mode !== 'own';
    if (seesCompanyTickets && permissions.mode === 'segment') {
      const contact = await this.em.findOneOrFail(Contact, { id: contactId, accountId });
      const definitions = filterDefinitions(await this.em.find(ContactProperty, { accountId }));
      seesCompanyTickets = matchesFilter(permissions.segment, contactValues(contact), definitions);
    }
    return { contactId, companyId, seesCompanyTickets };
  }

  private async findDomain(accountId: string, id: string) {
    const domain = await this.em.findOne(Domain, { id, accountId });
    if (!domain) throw new AppError('DOMAIN_NOT_FOUND', `Domain ${id} not found`);
    return domain;
  }

  private async announceDomains(accountId: string): Promise<PortalView> {
    const portal = await this.portalOf(accountId);
    await this.rpc.emit(
      'portal.updated',
      {
        accountId,
        portalId: portal.id,
        section: 'domains',
        occurredAt: new Date().toISOString(),
      },
      { routed: true },
    );
    return this.view(portal);
  }

  /** What a section's schema cannot know: references to this account's own records. */
  private async crossCheck(
    accountId: string,
    section: PortalSection,
    settings: PortalSettings[PortalSection],
  ): Promise<FieldErrors> {
    switch (section) {
      case 'permissions': {
        const definitions = filterDefinitions(await this.em.find(ContactProperty, { accountId }));
        const problems = filterProblems((settings as PortalSettings['permissions']).segment, definitions);
        return Object.fromEntries(
          Object.entries(problems).map(([path, messages]) => [`segment.${path}`, messages]),
        );
      }
      case 'access': {
        const ids = (settings as PortalSettings['access']).accessGroupIds;
        const found = await this.em.find(AccessGroup, { accountId, id: { $in: ids } }, { fields: ['id'] });
        const known = new Set(found.map((group) => group.id));
        const problems: FieldErrors = {};
        ids.forEach((id, index) => {
          if (!known.has(id))
            problems[`accessGroupIds.${index}`] = ['is not an access group of this account'];
        });
        return problems;
      }
      case 'consent': {
        const domainIds = (settings as PortalSettings['consent']).notices.map((notice) => notice.domainId);
        const found = new Set(
          (await this.em.find(Domain, { accountId, id: { $in: domainIds } })).map((d) => d.id),
        );
        const problems: FieldErrors = {};
        domainIds.forEach((id, index) => {
          if (!found.has(id)) problems[`notices.${index}.domainId`] = ['is not a domain of this portal'];
          else if (domainIds.indexOf(id) !== index)
            problems[`notices.${index}.domainId`] = ['already has a notice'];
        });
        return problems;
      }
      case 'ticketActions': {
        const chosen = Object.entries((settings as PortalSettings['ticketActions']).closedStages);
        if (chosen.length === 0) return {};
        // Pipelines belong to the tickets service: ask it which closed stages exist.
        const pipelines = await this.rpc.send('tickets.pipelines.list', { accountId });
        const problems: FieldErrors = {};
        for (const [pipelineId, stageId] of Object.entries(
          (settings as PortalSettings['ticketActions']).closedStages,
        )) {
          const pipeline = pipelines.find((p) => p.id === pipelineId);
          const path = `closedStages.${pipelineId}`;
          if (!pipeline) problems[path] = ['is not a pipeline of this account'];
          else if (!pipeline.stages.some((stage) => stage.id === stageId && stage.state === 'closed')) {
            problems[path] = ['must be a closed stage of this pipeline'];
          }
        }
        return problems;
      }
      case 'ticketDisplay': {
        // Ticket properties belong to the tickets service: columns and the visibility filter must use its.
        const display = settings as PortalSettings['ticketDisplay'];
        const properties = await this.rpc.send('tickets.properties.list', { accountId });
        const known = new Set(properties.map((property) => property.name));
        const problems: FieldErrors = {};
        display.columns.forEach((column, index) => {
          if (!known.has(column.property))
            problems[`columns.${index}.property`] = [`"${column.property}" is not a ticket property`];
        });
        const definitions = properties.map(({ name, label, type, options }) => ({
          name,
          label,
          type,
          ...(options ? { options } : {}),
        }));
        for (const [path, messages] of Object.entries(filterProblems(display.visibility, definitions)))
          problems[`visibility.${path}`] = messages;
        return problems;
      }
      case 'supportForm': {
        // Forms belong to the forms service: a connected form must exist there, contain ticket
        // properties and create tickets in an inbox or help desk (S5).
        const { connected, formId } = settings as PortalSettings['supportForm'];
        if (!connected || !formId) return {};
        try {
          const form = await this.rpc.send('forms.get', { accountId, id: formId });
          if (!form.containsTicketProperties)
            return { formId: ['must be a form that contains ticket properties'] };
          if (!form.usableAsSupportForm)
            return { formId: ['must have automatic ticket creation on, into an inbox or help desk'] };
          return {};
        } catch (error) {
          if (error instanceof AppError && error.code === 'FORM_NOT_FOUND')
            return { formId: ['is not a form of this account'] };
          throw error;
        }
      }
      case 'general': {
        // Inboxes belong to the inbox service: the destination must be one of this account's, of its kind.
        const { destination } = settings as PortalSettings['general'];
        if (!destination) return {};
        const inboxes = await this.rpc.send('inbox.inboxes.list', { accountId });
        return inboxes.some((inbox) => inbox.id === destination.id && inbox.kind === destination.kind)
          ? {}
          : {
              'destination.id': [
                `is not ${destination.kind === 'inbox' ? 'an inbox' : 'a help desk'} of this account`,
              ],
            };
      }
      case 'theme':
      case 'systemPages':
        return {};
    }
  }
}
