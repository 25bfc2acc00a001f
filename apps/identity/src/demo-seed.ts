import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { AccessGroupMember } from './access-groups/access-group-member.entity.js';
import { AccessGroup } from './access-groups/access-group.entity.js';
import { Account } from './accounts/account.entity.js';
import { Company } from './contacts/company.entity.js';
import { Contact } from './contacts/contact.entity.js';
import { Domain } from './domains/domain.entity.js';
import { ContactLogin } from './logins/contact-login.entity.js';
import { defaultPortalSettings } from './portals/portal-defaults.js';
import { Portal } from './portals/portal.entity.js';
import { InternalUser } from './users/internal-user.entity.js';
import { hashPassword } from './users/passwords.js';

export const DEMO_PASSWORD = 'demo-password';

const DEMO_CONTACTS: [email: string, firstName: string, lastName: string, company: 'acme' | 'globex'][] = [
  ['alice@acme.test', 'Alice', 'Anderson', 'acme'],
  ['bob@acme.test', 'Bob', 'Brown', 'acme'],
  ['carol@globex.test', 'Carol', 'Clark', 'globex'],
];

export interface IdentityDemo {
  accountId: string;
  created: boolean;
  /** The demo contacts by email, with their primary company, for the next services' seeds. */
  contacts: Record<string, DemoPerson & { companyId: string | null }>;
  /** The demo agent, who owns some of the demo tickets. */
  agent: DemoPerson;
}

interface DemoPerson {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

async function demoAgent(em: EntityManager, accountId: string): Promise<DemoPerson> {
  const agent = await em.findOneOrFail(InternalUser, { accountId, email: 'agent@demo.test' });
  const [firstName, ...rest] = agent.name.split(' ');
  return { id: agent.id, email: agent.email, firstName, lastName: rest.join(' ') };
}

/** The SPEC's demo data owned by identity; does nothing but report ids when the account exists. */
export async function seedIdentityDemo(orm: MikroORM): Promise<IdentityDemo> {
  const em = orm.em.fork();
  const existing = await em.findOne(Account, { name: 'Demo' });
  if (existing) {
    // Only the demo's own contacts: an account grown large (bench data) must not flood the output.
    const contacts = await em.find(Contact, {
      accountId: existing.id,
      email: { $in: DEMO_CONTACTS.map(([email]) => email) },
    });
    return {
      accountId: existing.id,
      created: false,
      contacts: Object.fromEntries(
        contacts.map((c) => [
          c.email,
          {
            id: c.id,
            email: c.email,
            firstName: c.firstName,
            lastName: c.lastName,
            companyId: c.primaryCompanyId,
          },
        ]),
      ),
      agent: await demoAgent(em, existing.id),
    };
  }

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const account = em.create(Account, { name: 'Demo' });
  const accountId = account.id;
  em.create(InternalUser, {
    accountId,
    email: 'admin@demo.test',
    name: 'Demo Admin',
    passwordHash,
    permissions: ['portal.settings', 'tickets', 'inbox', 'forms', 'contacts', 'ops'],
  });
  const agent = em.create(InternalUser, {
    accountId,
    email: 'agent@demo.test',
    name: 'Sam Agent',
    passwordHash,
    permissions: ['tickets', 'inbox'],
  });

  em.create(Domain, { accountId, hostname: 'localhost', language: 'en', primary: true });
  // A second host name for the same portal, in Finnish (browsers resolve *.localhost to this machine).
  em.create(Domain, { accountId, hostname: 'fi.localhost', language: 'fi', primary: false });

  const customers = em.create(AccessGroup, { accountId, name: 'Customers' });
  const defaults = defaultPortalSettings();
  em.create(Portal, {
    accountId,
    slug: 'support',
    ...defaults,
    general: { ...defaults.general, name: 'Demo Support', enabled: true },
    permissions: { mode: 'company', segment: { groups: [] } },
    access: { ...defaults.access, mode: 'access_groups', accessGroupIds: [customers.id] },
  });

  const acme = em.create(Company, { accountId, name: 'Acme Oy', domain: 'acme.test' });
  const globex = em.create(Company, { accountId, name: 'Globex', domain: 'globex.test' });
  const companies = { acme, globex };
  const contacts: IdentityDemo['contacts'] = {};
  for (const [email, firstName, lastName, companyKey] of DEMO_CONTACTS) {
    const company = companies[companyKey];
    const contact = em.create(Contact, {
      accountId,
      email,
      firstName,
      lastName,
      primaryCompanyId: company.id,
    });
    em.create(ContactLogin, { contactId: contact.id, accountId, passwordHash, emailVerifiedAt: new Date() });
    em.create(AccessGroupMember, {
      groupId: customers.id,
      contactId: contact.id,
      accountId,
      invitationStatus: 'accepted',
    });
    contacts[email] = { id: contact.id, email, firstName, lastName, companyId: company.id };
  }
  await em.flush();
  return {
    accountId,
    created: true,
    contacts,
    agent: { id: agent.id, email: agent.email, firstName: 'Sam', lastName: 'Agent' },
  };
}

/**
 * Connects the demo portal's support form (SPEC demo data: "support form connected") to the form the
 * forms seed made. Only while no form is connected: an admin's later choice is kept. The forms seed
 * made the form with ticket properties and automatic ticket creation, which identity.portal.update
 * would check with the forms service; the seed runs without services.
 */
export async function connectDemoSupportForm(
  orm: MikroORM,
  formId: string,
): Promise<{ connected: boolean; formId: string | null }> {
  const em = orm.em.fork();
  const account = await em.findOneOrFail(Account, { name: 'Demo' });
  const portal = await em.findOneOrFail(Portal, { accountId: account.id });
  if (portal.supportForm.connected) return { connected: false, formId: portal.supportForm.formId };
  portal.supportForm = {
    connected: true,
    menuText: 'Submit a ticket',
    headerText: 'How can we help?',
    formId,
  };
  await em.flush();
  return { connected: true, formId };
}
