import type { AttachmentInput, PortalSettings, PortalView, PortalViewer } from '@helpdesk/contracts';
import { LocalFileStorage, type RpcClient } from '@helpdesk/kit';
import { signInAtProvider, type TestOidcProvider, type TestSmtp } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { newAccount } from './accounts.js';
import { demoAdmin, demoContactIds } from './system.js';

/**
 * The kinds of record a tenant of the security matrix has one of, each made for what the matrix does
 * with it: `ticket` is the customer's ticket with a conversation, `ticketToClose` the one a close may
 * close, `pipelineToDelete` the one a delete may delete, and so on, so that no request of the matrix
 * spoils a record another one needs. Tokens and uploads are no ids, but another account's are refused
 * the same way.
 */
export const KINDS = [
  'user',
  /** The customer whose records the scope checks protect. */
  'contact',
  /** A contact of the customer's company. */
  'colleague',
  /** A contact of another company. */
  'outsider',
  'company',
  'group',
  'portalGroup',
  'domain',
  'spareDomain',
  'pipeline',
  'stage',
  'otherStage',
  'closedStage',
  'pipelineToEdit',
  'stageToEdit',
  'stageToDelete',
  'pipelineToDelete',
  'ticket',
  'ticketToClose',
  'ticketForThread',
  'ticketWithoutThread',
  'export',
  'inbox',
  'inboxToDelete',
  'thread',
  'message',
  'attachment',
  'upload',
  'form',
  'formToDelete',
  'submission',
  'verificationToken',
  'invitationToken',
  'resetToken',
] as const;
export type Kind = (typeof KINDS)[number];

export interface Tenant {
  label: 'A' | 'B';
  accountId: string;
  /** In the names of the records made for this tenant: in another tenant's answer, it is a leak. */
  marker: string;
  /** In the subject and text of the customer's records, which only they (and agents) may see. */
  privateWord: string;
  ids: Record<Kind, string>;
  /** The kind of every id, token and upload key of this tenant, uploads made later included. */
  kindOf: Map<string, Kind>;
  /** The customer as identity would scope them (company tickets), a colleague who sees only their own, an outsider. */
  viewers: Record<'contact' | 'colleague' | 'outsider', PortalViewer>;
  /** The customer's email (the one their records carry). */
  contactEmail: string;
  /** A contact who may log in to the portal with this password. */
  login: { email: string; password: string };
  ticketProperties: { toEdit: string; toDelete: string };
  inboxKind: 'inbox' | 'help_desk';
  /** The portal as set up; requests re-send its sections, so a request changes nothing but the id it names. */
  portal: PortalView;
  sso: { issuer: string; redirectUri: string; signIn(authorizationUrl: string): Promise<string> };
  /** A new file in this account's upload area, as the gateway stores one, for a message to attach. */
  upload(): Promise<AttachmentInput>;
}

export interface TenantServices {
  client: RpcClient;
  smtp: TestSmtp;
  filesDir: string;
  databaseUrl: string;
}

const short = () => randomUUID().slice(0, 8);
export const SSO_REDIRECT_URI = 'http://localhost/support/sso/callback';
const PASSWORD = 'a-long-test-password';

/** Account A: the demo account and its contacts (Alice and Bob of Acme, Carol of Globex), with the matrix's records added. */
export async function demoTenant(services: TenantServices, provider: TestOidcProvider): Promise<Tenant> {
  const { client } = services;
  const { accountId, adminId } = await demoAdmin(client);
  const contacts = await demoContactIds(client, accountId, [
    'alice@acme.test',
    'bob@acme.test',
    'carol@globex.test',
  ]);
  const companyOf = async (id: string) =>
    (await client.send('identity.contacts.get', { accountId, id })).primaryCompanyId!;
  const [customers] = await client.send('identity.accessGroups.list', { accountId });
  const portal = await client.send('identity.portal.get', { accountId });
  return prepareTenant(services, provider, {
    label: 'A',
    accountId,
    userId: adminId,
    contact: contacts.get('alice@acme.test')!,
    colleague: contacts.get('bob@acme.test')!,
    outsider: contacts.get('carol@globex.test')!,
    company: await companyOf(contacts.get('alice@acme.test')!),
    otherCompany: await companyOf(contacts.get('carol@globex.test')!),
    portalGroup: customers.id,
    domain: portal.domains.find((domain) => domain.primary)!.id,
    login: { email: 'alice@acme.test', password: 'demo-password' },
  });
}

/**
 * Account B, made from nothing: its account, agent and portal as newAccount makes them, everything
 * else through the services' own subjects, as for account A.
 */
export async function newTenant(services: TenantServices, provider: TestOidcProvider): Promise<Tenant> {
  const { client } = services;
  const marker = `bravo${short()}`;
  const { accountId, userId, domainId } = await newAccount(services, {
    name: `Bravo ${marker}`,
    user: { like: 'agent@demo.test', email: `agent@${marker}.test`, name: `Bravo Agent ${marker}` },
    hostname: `${marker}.localhost`,
    portal: { name: 'Bravo support', slug: 'support' },
  });
  const company = await client.send('identity.companies.create', { accountId, name: `Bravo Oy ${marker}` });
  const otherCompany = await client.send('identity.companies.create', {
    accountId,
    name: `Bravo Rival ${marker}`,
  });
  const contact = async (name: string, companyId: string) =>
    (
      await client.send('identity.contacts.create', {
        accountId,
        email: `${name}@${marker}.test`,
        firstName: name,
        lastName: marker,
        primaryCompanyId: companyId,
      })
    ).id;
  const customer = await contact('dana', company.id);
  const portalGroup = await client.send('identity.accessGroups.create', { accountId, name: 'Customers' });
  return prepareTenant(services, provider, {
    label: 'B',
    accountId,
    userId,
    marker,
    contact: customer,
    colleague: await contact('erik', company.id),
    outsider: await contact('fiona', otherCompany.id),
    company: company.id,
    otherCompany: otherCompany.id,
    portalGroup: portalGroup.id,
    domain: domainId,
    // Dana gets a password below, through the portal's own registration and reset.
    login: { email: `dana@${marker}.test`, password: PASSWORD },
  });
}

interface TenantBase {
  label: Tenant['label'];
  accountId: string;
  userId: string;
  marker?: string;
  contact: string;
  colleague: string;
  outsider: string;
  company: string;
  otherCompany: string;
  portalGroup: string;
  domain: string;
  login: Tenant['login'];
}

/** The records every tenant gets, through the services' subjects; answers once everything has settled. */
async function prepareTenant(
  { client, smtp, filesDir }: TenantServices,
  provider: TestOidcProvider,
  base: TenantBase,
): Promise<Tenant> {
  const { accountId, userId, label } = base;
  const marker = base.marker ?? `alpha${short()}`;
  provider.users[`u-${label}`] = { email: base.login.email, email_verified: true, name: `SSO ${label}` };
  const privateWord = `${marker}private`;
  const ids: Partial<Record<Kind, string>> = {
    user: userId,
    contact: base.contact,
    colleague: base.colleague,
    outsider: base.outsider,
    company: base.company,
    portalGroup: base.portalGroup,
    domain: base.domain,
  };
  const kindOf = new Map<string, Kind>();
  const storage = new LocalFileStorage(filesDir);
  const upload = async (): Promise<AttachmentInput> => {
    const content = Buffer.from(`a file of account ${label}\n`);
    const storageKey = `attachments/${accountId}/${randomUUID()}`;
    await storage.write(storageKey, Readable.from([content]));
    kindOf.set(storageKey, 'upload');
    return { storageKey, fileName: 'note.txt', contentType: 'text/plain', size: content.length };
  };
  const customer = await client.send('identity.contacts.get', { accountId, id: base.contact });
  const requester = {
    requesterContactId: customer.id,
    requesterName: `${customer.firstName} ${customer.lastName}`,
    requesterEmail: customer.email,
    companyId: base.company,
  };

  // Identity: a group of the customer and the outsider, a second domain, and one token of each kind.
  const group = await client.send('identity.accessGroups.create', { accountId, name: `Group ${marker}` });
  await client.send('identity.accessGroups.addMembers', {
    accountId,
    groupId: group.id,
    contactIds: [base.contact, base.outsider],
  });
  ids.group = group.id;
  ids.spareDomain = (
    await client.send('identity.domains.add', { accountId, hostname: `spare-${marker}.example.test` })
  ).domains.find((domain) => domain.hostname.startsWith('spare-'))!.id;
  const seen = new Set<string>();
  const mailedToken = async (to: string, page: string) => {
    const isNew = (link: string) => link.includes(`/${page}?token=`) && !seen.has(link);
    const mail = await smtp.waitFor(to, (m) => smtp.links(m).some(isNew));
    const link = smtp.links(mail).find(isNew)!;
    seen.add(link);
    return new URL(link).searchParams.get('token')!;
  };
  const setAccess = (access: PortalSettings['access']) =>
    client.send('identity.portal.update', {
      accountId,
      actorUserId: userId,
      section: 'access',
      settings: access,
    });
  const oidc = { issuer: provider.issuer, clientId: provider.settings.clientId };
  const selfRegistration: PortalSettings['access'] = {
    mode: 'self_registration',
    accessGroupIds: [base.portalGroup],
    authentication: 'password',
    oidc: null,
    sessionIdleMinutes: 60,
  };
  await setAccess(selfRegistration);
  if (label === 'B') {
    // Registering an address that is a contact's mails its owner a reset link: Dana sets her password so.
    await client.send('identity.portal.register', {
      accountId,
      domainId: base.domain,
      email: base.login.email,
      firstName: 'Dana',
      lastName: marker,
      password: PASSWORD,
    });
    const token = await mailedToken(base.login.email, 'reset-password');
    await client.send('identity.portal.resetPassword', { accountId, token, password: PASSWORD });
  }
  const registrant = `registrant@${marker}.test`;
  await client.send('identity.portal.register', {
    accountId,
    domainId: base.domain,
    email: registrant,
    firstName: 'Reggie',
    lastName: marker,
    password: PASSWORD,
  });
  ids.verificationToken = await mailedToken(registrant, 'verify-email');
  // Invitations go out only while the portal admits access groups.
  await setAccess({
    ...selfRegistration,
    mode: 'access_groups',
    authentication: 'oidc',
    oidc: { ...oidc, clientSecret: provider.settings.clientSecret },
  });
  const invitee = await client.send('identity.contacts.create', {
    accountId,
    email: `invitee@${marker}.test`,
    firstName: 'Ivy',
    lastName: marker,
  });
  const registered = (await client.send('identity.contacts.list', { accountId, search: registrant }))
    .items[0];
  await client.send('identity.accessGroups.addMembers', {
    accountId,
    groupId: base.portalGroup,
    contactIds: [base.contact, base.colleague, base.outsider, registered.id, invitee.id],
  });
  ids.invitationToken = await mailedToken(invitee.email, 'accept-invitation');
  // Self-registration from here on: every login, verification and invitation the matrix makes may enter.
  await setAccess({ ...selfRegistration, authentication: 'oidc', oidc });
  await client.send('identity.portal.requestPasswordReset', {
    accountId,
    email: base.login.email,
    domainId: base.domain,
  });
  ids.resetToken = await mailedToken(base.login.email, 'reset-password');

  // Tickets: a second closed stage (so a close must name one), pipelines to edit and delete, properties.
  let [pipeline] = await client.send('tickets.pipelines.list', { accountId });
  pipeline = await client.send('tickets.stages.create', {
    accountId,
    pipelineId: pipeline.id,
    label: `Resolved ${marker}`,
    state: 'closed',
  });
  const [stage, otherStage] = pipeline.stages.filter((s) => s.state === 'open');
  Object.assign(ids, {
    pipeline: pipeline.id,
    stage: stage.id,
    otherStage: otherStage.id,
    closedStage: pipeline.stages.find((s) => s.state === 'closed')!.id,
  });
  const toEdit = await client.send('tickets.pipelines.create', {
    accountId,
    label: `Edit ${marker}`,
    stages: [
      { label: 'Edit me', state: 'open' },
      { label: 'Delete me', state: 'open' },
      { label: 'Done', state: 'closed' },
    ],
  });
  Object.assign(ids, {
    pipelineToEdit: toEdit.id,
    stageToEdit: toEdit.stages[0].id,
    stageToDelete: toEdit.stages[1].id,
    pipelineToDelete: (
      await client.send('tickets.pipelines.create', { accountId, label: `Delete ${marker}` })
    ).id,
  });
  const ticketProperties = { toEdit: `${marker}_level`, toDelete: `${marker}_gone` };
  for (const name of Object.values(ticketProperties))
    await client.send('tickets.properties.create', { accountId, name, label: name, type: 'string' });
  const ticket = async (what: string) =>
    (
      await client.send('tickets.create', {
        accountId,
        subject: `${privateWord} ${what}`,
        content: `${privateWord} content`,
        ...requester,
      })
    ).id;
  ids.ticket = await ticket('ticket');
  ids.ticketToClose = await ticket('to close');
  ids.ticketForThread = await ticket('for a thread');
  ids.ticketWithoutThread = await ticket('without a thread');
  // The colleague and the outsider have tickets of their own, so an empty list is not the only answer.
  for (const [id, companyId] of [
    [base.colleague, base.company],
    [base.outsider, base.otherCompany],
  ])
    await client.send('tickets.create', {
      accountId,
      subject: `Another customer’s ${marker}`,
      requesterContactId: id,
      companyId,
    });
  const viewers = {
    contact: { contactId: base.contact, companyId: base.company, seesCompanyTickets: true },
    colleague: { contactId: base.colleague, companyId: base.company, seesCompanyTickets: false },
    outsider: { contactId: base.outsider, companyId: base.otherCompany, seesCompanyTickets: true },
  };
  const started = await client.send('tickets.exports.start', {
    accountId,
    viewer: viewers.contact,
    visibility: { groups: [] },
    ownerDisplay: { mode: 'first_name', alias: null },
    columns: [{ property: 'subject', label: 'Subject' }],
    showStages: false,
    language: 'en',
  });
  ids.export = started.exportId;

  // Inbox: an inbox with the customer's conversation (a reply with a file, a note), one to delete.
  const inboxKind = 'help_desk';
  ids.inbox = (
    await client.send('inbox.inboxes.create', { accountId, kind: inboxKind, name: `Desk ${marker}` })
  ).id;
  ids.inboxToDelete = (
    await client.send('inbox.inboxes.create', { accountId, kind: 'inbox', name: `Spare ${marker}` })
  ).id;
  const thread = await client.send('inbox.threads.open', {
    accountId,
    ticketId: ids.ticket,
    inboxId: ids.inbox,
    requester: { contactId: base.contact, name: requester.requesterName, email: requester.requesterEmail },
    subject: `${privateWord} ticket`,
    bodyText: `${privateWord} description`,
    idempotencyKey: randomUUID(),
  });
  ids.thread = thread.id;
  const author = { userId, name: `Agent ${marker}` };
  const reply = await client.send('inbox.messages.agentReply', {
    accountId,
    threadId: thread.id,
    author,
    bodyHtml: `<p>${privateWord} answer</p>`,
    attachments: [await upload()],
  });
  ids.message = reply.id;
  ids.attachment = reply.attachments[0].id;
  await client.send('inbox.messages.note', {
    accountId,
    threadId: thread.id,
    author,
    bodyHtml: `<p>${privateWord} note</p>`,
  });
  ids.upload = (await upload()).storageKey;

  // Forms: a support form creating tickets in the inbox, one to delete, the customer's submission.
  const ticketCreation = {
    enabled: true,
    destination: { kind: inboxKind, id: ids.inbox },
    pipelineId: ids.pipeline,
    stageId: ids.stage,
  } as const;
  for (const kind of ['form', 'formToDelete'] as const)
    ids[kind] = (
      await client.send('forms.createFromTemplate', {
        accountId,
        template: 'support',
        name: `${kind} ${marker}`,
        ticketCreation,
      })
    ).id;
  ids.submission = (
    await client.send('forms.submit', {
      accountId,
      formId: ids.form!,
      contactId: base.contact,
      values: { email: customer.email, subject: `${privateWord} submission`, content: `${privateWord} form` },
    })
  ).submissionId;

  await client.send('identity.portal.update', {
    accountId,
    actorUserId: userId,
    section: 'general',
    settings: {
      ...(await client.send('identity.portal.get', { accountId })).general,
      destination: { kind: inboxKind, id: ids.inbox },
    },
  });
  for (const kind of KINDS) kindOf.set(ids[kind]!, kind);
  await until(async () => {
    const submission = await client.send('forms.submissions.get', { accountId, id: ids.submission! });
    const exported = await client.send('tickets.exports.get', {
      accountId,
      contactId: base.contact,
      exportId: ids.export!,
    });
    return submission.status === 'delivered' && exported.status === 'done';
  });
  return {
    label,
    accountId,
    marker,
    privateWord,
    ids: ids as Record<Kind, string>,
    kindOf,
    viewers,
    contactEmail: customer.email,
    login: base.login,
    ticketProperties,
    inboxKind,
    portal: await client.send('identity.portal.get', { accountId }),
    sso: {
      issuer: provider.issuer,
      redirectUri: SSO_REDIRECT_URI,
      signIn: (authorizationUrl) => signInAtProvider(authorizationUrl, `u-${label}`),
    },
    upload,
  };
}

async function until(done: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * What a tenant has, read through the services: every list the matrix's subjects could change and
 * each of the matrix's records, files included. Two equal snapshots mean nothing of it changed.
 */
export async function snapshotOf(client: RpcClient, filesDir: string, t: Tenant): Promise<unknown> {
  const { accountId, ids } = t;
  const storage = new LocalFileStorage(filesDir);
  const page = { limit: 100 };
  const attachment = await client.send('inbox.attachments.get', { accountId, attachmentId: ids.attachment });
  return {
    users: await client.send('identity.users.list', { accountId }),
    contacts: await client.send('identity.contacts.list', { accountId, ...page }),
    companies: await client.send('identity.companies.list', { accountId, ...page }),
    contactProperties: await client.send('identity.contactProperties.list', { accountId }),
    groups: await client.send('identity.accessGroups.list', { accountId }),
    members: await client.send('identity.accessGroups.members', { accountId, groupId: ids.group, ...page }),
    portal: await client.send('identity.portal.get', { accountId }),
    audit: await client.send('identity.portal.audit', { accountId, ...page }),
    tickets: await client.send('tickets.list', { accountId, ...page }),
    ticket: await client.send('tickets.get', { accountId, id: ids.ticket }),
    pipelines: await client.send('tickets.pipelines.list', { accountId }),
    ticketProperties: await client.send('tickets.properties.list', { accountId }),
    export: await client.send('tickets.exports.get', {
      accountId,
      contactId: ids.contact,
      exportId: ids.export,
    }),
    forms: await client.send('forms.list', { accountId, ...page }),
    submissions: await client.send('forms.submissions.list', { accountId, formId: ids.form, ...page }),
    inboxes: await client.send('inbox.inboxes.list', { accountId }),
    threads: await client.send('inbox.threads.list', { accountId, inboxId: ids.inbox, ...page }),
    thread: await client.send('inbox.threads.get', { accountId, threadId: ids.thread }),
    attachment,
    files: {
      upload: await storage.exists(ids.upload),
      attachment: await storage.exists(attachment.storageKey),
    },
  };
}
