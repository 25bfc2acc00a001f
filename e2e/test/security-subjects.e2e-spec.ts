import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ErrorKinds,
  Rpc,
  type ErrorCode,
  type PortalSection,
  type RpcRequest,
  type Subject,
} from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import {
  startTestOidcProvider,
  startTestSmtp,
  type TestOidcProvider,
  type TestSmtp,
} from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';
import { idPaths, replaced, stringsIn, valuesAt } from '../src/contract-ids.js';
import { startSystem, type System } from '../src/system.js';
import {
  demoTenant,
  newTenant,
  snapshotOf,
  SSO_REDIRECT_URI,
  type Kind,
  type Tenant,
} from '../src/tenants.js';

// Every NATS subject of the contracts, asked by one account with another account's ids (and the
// other way round), and by one customer with another customer's or another company's: the answer
// is "not found", never the other's data, and nothing of the other's changes. The subjects and their
// id fields come from the contracts (Rpc and the zod request schemas), so a new subject without a
// line in the matrix below, or a new id field no request of it fills, fails this test.

let system: System;
let smtp: TestSmtp;
const providers: TestOidcProvider[] = [];
let client: RpcClient;
let A: Tenant;
let B: Tenant;
/** Strings of each tenant no answer to another may contain: its account, marker, provider and every id it had. */
const secrets = new Map<Tenant, string[]>();
const report: string[] = [];

/** What a request may name besides its own records: the asking account, or a viewer as a whole. */
type Slot = Kind | 'account' | 'viewer';

interface Probe<S extends Subject> {
  /** Which of a subject's requests this is, when it has several. */
  variant?: string;
  /** A valid request of tenant `t`, naming only t's own records. */
  request: (t: Tenant) => RpcRequest<S> | Promise<RpcRequest<S>>;
  /**
   * Slots the service may answer for with another's id, and why: it keeps the id as a reference it
   * does not own, filters a list by it, or (`account`) makes or lists the asking account's own. The
   * answer must still carry nothing of the other. An account swap may be answered only when every
   * id in the request may be.
   */
  answers?: Partial<Record<Slot, string>>;
  /** Slots refused with another code than a not-found one (a check in the subject's own words). */
  refusals?: Partial<Record<Slot, ErrorCode>>;
  /** The records are the customer's: asked for as another contact, they are not found (`viewer` is found by itself). */
  scopedBy?: 'contactId';
}
type Entry<S extends Subject> = Probe<S> | Probe<S>[] | { none: string };

const noFilter = { groups: [] };
const ownerDisplay = { mode: 'first_name', alias: null } as const;
const short = () => randomUUID().slice(0, 8);
const asCustomer = (t: Tenant) => ({
  accountId: t.accountId,
  viewer: t.viewers.contact,
  visibility: noFilter,
});
const ticketCreation = (t: Tenant) => ({
  enabled: true,
  destination: { kind: t.inboxKind, id: t.ids.inbox },
  pipelineId: t.ids.pipeline,
  stageId: t.ids.stage,
});
const PASSWORD = 'another-long-password';

const ownList = 'lists the asking account’s own records';
const ownRecord = 'makes a record of the asking account';
const asGiven = (owner: string) =>
  `kept as the caller gives it (${owner} owns it and the caller looked it up)`;
const filter = 'a filter: the asking account has nothing under another account’s id';
const viewerList = 'a list of what this viewer may see';

/**
 * A portal section naming records of the account. Identity checks each against the account's own
 * records (access groups, domains; forms, pipelines, stages and inboxes by asking their services), so
 * another account's is a field error, VALIDATION_FAILED "is not … of this account", the same as for a
 * record that does not exist.
 */
function portalUpdate(
  section: PortalSection,
  settings: (t: Tenant) => unknown,
  expected: Pick<Probe<'identity.portal.update'>, 'answers' | 'refusals'>,
): Probe<'identity.portal.update'> {
  return {
    variant: section,
    request: (t) => ({ accountId: t.accountId, actorUserId: t.ids.user, section, settings: settings(t) }),
    refusals: expected.refusals,
    answers: {
      ...expected.answers,
      user: 'the acting user is the gateway’s session user, kept in the audit as given',
      account: 'changes the asking account’s own portal',
    },
  };
}

/** Every subject of the contracts; a line missing here fails to compile and fails the first test. */
const matrix: { [S in Subject]: Entry<S> } = {
  'identity.ping': { none: 'the service’s own state: no account, no id' },
  'identity.users.authenticate': { none: 'an internal user’s login by email: no account, no id' },
  'identity.users.get': { request: (t) => ({ accountId: t.accountId, id: t.ids.user }) },
  'identity.users.list': { request: (t) => ({ accountId: t.accountId }), answers: { account: ownList } },
  'identity.contacts.create': {
    request: (t) => ({
      accountId: t.accountId,
      email: `probe-${short()}@example.test`,
      primaryCompanyId: t.ids.company,
    }),
    answers: { account: ownRecord },
  },
  'identity.contacts.get': { request: (t) => ({ accountId: t.accountId, id: t.ids.contact }) },
  'identity.contacts.update': {
    request: (t) => ({
      accountId: t.accountId,
      id: t.ids.contact,
      lastName: 'Renamed',
      primaryCompanyId: t.ids.company,
    }),
  },
  'identity.contacts.list': {
    request: (t) => ({ accountId: t.accountId, companyId: t.ids.company }),
    answers: { account: ownList, company: filter },
  },
  'identity.contacts.findOrCreate': {
    request: (t) => ({ accountId: t.accountId, email: `probe-${short()}@example.test` }),
    answers: { account: ownRecord },
  },
  'identity.companies.create': {
    request: (t) => ({ accountId: t.accountId, name: `Probe ${short()}` }),
    answers: { account: ownRecord },
  },
  'identity.companies.get': { request: (t) => ({ accountId: t.accountId, id: t.ids.company }) },
  'identity.companies.update': {
    request: (t) => ({ accountId: t.accountId, id: t.ids.company, name: 'Renamed company' }),
  },
  'identity.companies.list': { request: (t) => ({ accountId: t.accountId }), answers: { account: ownList } },
  'identity.contactProperties.list': {
    request: (t) => ({ accountId: t.accountId }),
    answers: { account: ownList },
  },
  'identity.contactProperties.create': {
    request: (t) => ({ accountId: t.accountId, name: `p_${short()}`, label: 'Probe', type: 'string' }),
    answers: { account: ownRecord },
  },
  'identity.accessGroups.create': {
    request: (t) => ({ accountId: t.accountId, name: `Probe ${short()}` }),
    answers: { account: ownRecord },
  },
  'identity.accessGroups.list': {
    request: (t) => ({ accountId: t.accountId }),
    answers: { account: ownList },
  },
  'identity.accessGroups.ofContact': {
    request: (t) => ({ accountId: t.accountId, contactId: t.ids.contact }),
    answers: { account: ownList, contact: filter },
  },
  'identity.accessGroups.addMembers': {
    request: (t) => ({ accountId: t.accountId, groupId: t.ids.group, contactIds: [t.ids.colleague] }),
  },
  'identity.accessGroups.removeMembers': {
    request: (t) => ({ accountId: t.accountId, groupId: t.ids.group, contactIds: [t.ids.outsider] }),
  },
  'identity.accessGroups.members': { request: (t) => ({ accountId: t.accountId, groupId: t.ids.group }) },
  'identity.accessGroups.resendInvitation': {
    request: (t) => ({ accountId: t.accountId, groupId: t.ids.group, contactId: t.ids.contact }),
  },
  'identity.portal.get': { request: (t) => ({ accountId: t.accountId }), answers: { account: ownList } },
  // Each section that names records of the account, re-sent as it is but for the id swapped in.
  'identity.portal.update': [
    portalUpdate(
      'access',
      (t) => {
        const { oidcSecretSet: _secretSet, ...access } = t.portal.access;
        return { ...access, accessGroupIds: [t.ids.portalGroup] };
      },
      { refusals: { portalGroup: 'VALIDATION_FAILED' } },
    ),
    portalUpdate(
      'consent',
      (t) => ({ notices: [{ domainId: t.ids.domain, text: 'We keep your data.', checkboxText: 'I agree' }] }),
      { refusals: { domain: 'VALIDATION_FAILED' } },
    ),
    portalUpdate(
      'supportForm',
      (t) => ({
        connected: true,
        menuText: 'Submit a ticket',
        headerText: 'How can we help?',
        formId: t.ids.form,
      }),
      { refusals: { form: 'VALIDATION_FAILED' } },
    ),
    portalUpdate(
      'ticketActions',
      (t) => ({
        replyToClosed: true,
        allowClose: true,
        closedStages: { [t.ids.pipeline]: t.ids.closedStage },
      }),
      { refusals: { pipeline: 'VALIDATION_FAILED', closedStage: 'VALIDATION_FAILED' } },
    ),
    portalUpdate(
      'general',
      (t) => ({ ...t.portal.general, destination: { kind: t.inboxKind, id: t.ids.inbox } }),
      { refusals: { inbox: 'VALIDATION_FAILED' } },
    ),
  ],
  'identity.portal.resolve': { none: 'finds a portal by host name and slug: no account, no id' },
  'identity.portal.audit': { request: (t) => ({ accountId: t.accountId }), answers: { account: ownList } },
  'identity.domains.add': {
    request: (t) => ({ accountId: t.accountId, hostname: `probe-${short()}.example.test` }),
    answers: { account: ownRecord },
  },
  'identity.domains.update': {
    request: (t) => ({ accountId: t.accountId, id: t.ids.spareDomain, language: 'fi' }),
  },
  'identity.domains.remove': { request: (t) => ({ accountId: t.accountId, id: t.ids.spareDomain }) },
  'identity.viewer.scope': { request: (t) => ({ accountId: t.accountId, contactId: t.ids.contact }) },
  'identity.portal.login': {
    request: (t) => ({ accountId: t.accountId, ...t.login }),
    refusals: { account: 'INVALID_CREDENTIALS' },
  },
  'identity.portal.register': {
    request: (t) => ({
      accountId: t.accountId,
      domainId: t.ids.domain,
      email: `probe-${short()}@example.test`,
      firstName: 'Probe',
      lastName: 'Person',
      password: PASSWORD,
      consent: true,
    }),
  },
  'identity.portal.verifyEmail': {
    request: (t) => ({ accountId: t.accountId, token: t.ids.verificationToken }),
    refusals: { verificationToken: 'TOKEN_INVALID', account: 'TOKEN_INVALID' },
  },
  'identity.portal.acceptInvitation': {
    request: (t) => ({ accountId: t.accountId, token: t.ids.invitationToken, password: PASSWORD }),
    refusals: { invitationToken: 'TOKEN_INVALID', account: 'TOKEN_INVALID' },
  },
  'identity.portal.requestPasswordReset': {
    request: (t) => ({ accountId: t.accountId, email: t.login.email, domainId: t.ids.domain }),
    answers: {
      account: 'the same answer to every request, so that it never confirms an address',
      domain: 'the mail goes out in the account’s primary domain instead; the answer is the same',
    },
  },
  'identity.portal.resetPassword': {
    request: (t) => ({ accountId: t.accountId, token: t.ids.resetToken, password: PASSWORD }),
    refusals: { resetToken: 'TOKEN_INVALID', account: 'TOKEN_INVALID' },
  },
  'identity.sso.start': {
    request: (t) => ({ accountId: t.accountId, redirectUri: SSO_REDIRECT_URI }),
    answers: { account: 'the asking account’s own provider' },
  },
  // A real sign-in at the tenant's own provider each time (its codes are single-use and short-lived).
  'identity.sso.complete': {
    request: async (t) => {
      const started = await client.send('identity.sso.start', {
        accountId: t.accountId,
        redirectUri: SSO_REDIRECT_URI,
      });
      return {
        accountId: t.accountId,
        callbackUrl: await t.sso.signIn(started.authorizationUrl),
        secrets: started.secrets,
      };
    },
    refusals: { account: 'SSO_FAILED' },
  },

  'tickets.ping': { none: 'the service’s own state: no account, no id' },
  'tickets.update': {
    request: (t) => ({
      accountId: t.accountId,
      id: t.ids.ticket,
      subject: 'Edited subject',
      stageId: t.ids.otherStage,
      ownerId: t.ids.user,
    }),
  },
  'tickets.close': {
    request: (t) => ({
      ...asCustomer(t),
      id: t.ids.ticketToClose,
      closedStages: { [t.ids.pipeline]: t.ids.closedStage },
    }),
    refusals: {
      pipeline: 'VALIDATION_FAILED',
      closedStage: 'VALIDATION_FAILED',
    },
  },
  'tickets.messages.record': {
    request: (t) => ({
      accountId: t.accountId,
      ticketId: t.ids.ticket,
      messageId: t.ids.message,
      direction: 'from_agent',
      visibility: 'public',
      text: 'Probe',
      occurredAt: new Date().toISOString(),
    }),
    answers: {
      message: 'inbox’s id of the message being recorded: another account’s is taken, so nothing is recorded',
    },
  },
  'tickets.create': {
    request: (t) => ({
      accountId: t.accountId,
      subject: 'Probe ticket',
      pipelineId: t.ids.pipeline,
      stageId: t.ids.stage,
      requesterContactId: t.ids.contact,
      companyId: t.ids.company,
    }),
    answers: { account: ownRecord, contact: asGiven('identity'), company: asGiven('identity') },
  },
  'tickets.list': { request: (t) => ({ accountId: t.accountId }), answers: { account: ownList } },
  'tickets.portal.list': {
    request: (t) => ({ ...asCustomer(t), ownerDisplay }),
    answers: { account: ownList, viewer: viewerList },
  },
  'tickets.portal.get': { request: (t) => ({ ...asCustomer(t), id: t.ids.ticket }) },
  'tickets.exports.start': {
    request: (t) => ({
      ...asCustomer(t),
      ownerDisplay,
      columns: [{ property: 'subject', label: 'Subject' }],
      showStages: false,
      language: 'en',
    }),
    answers: { account: ownRecord, viewer: 'exports what this viewer may see' },
  },
  'tickets.exports.get': {
    request: (t) => ({ accountId: t.accountId, contactId: t.ids.contact, exportId: t.ids.export }),
    scopedBy: 'contactId',
  },
  'tickets.get': { request: (t) => ({ accountId: t.accountId, id: t.ids.ticket }) },
  'tickets.getMany': {
    request: (t) => ({ accountId: t.accountId, ids: [t.ids.ticket] }),
    answers: { ticket: filter, account: filter },
  },
  'tickets.pipelines.list': { request: (t) => ({ accountId: t.accountId }), answers: { account: ownList } },
  'tickets.pipelines.create': {
    request: (t) => ({ accountId: t.accountId, label: `Probe ${short()}` }),
    answers: { account: ownRecord },
  },
  'tickets.pipelines.update': {
    request: (t) => ({ accountId: t.accountId, id: t.ids.pipelineToEdit, label: `Renamed ${short()}` }),
  },
  'tickets.pipelines.delete': { request: (t) => ({ accountId: t.accountId, id: t.ids.pipelineToDelete }) },
  'tickets.stages.create': {
    request: (t) => ({
      accountId: t.accountId,
      pipelineId: t.ids.pipeline,
      label: `Probe ${short()}`,
      state: 'open',
    }),
  },
  'tickets.stages.update': {
    request: (t) => ({ accountId: t.accountId, id: t.ids.stageToEdit, label: `Renamed ${short()}` }),
  },
  // Every stage of the pipeline as it is now, reversed.
  'tickets.stages.reorder': {
    request: async (t) => {
      const pipelines = await client.send('tickets.pipelines.list', { accountId: t.accountId });
      const stages = pipelines.find((p) => p.id === t.ids.pipelineToEdit)!.stages;
      return {
        accountId: t.accountId,
        pipelineId: t.ids.pipelineToEdit,
        stageIds: stages.map((stage) => stage.id).reverse(),
      };
    },
  },
  'tickets.stages.delete': { request: (t) => ({ accountId: t.accountId, id: t.ids.stageToDelete }) },
  'tickets.properties.list': { request: (t) => ({ accountId: t.accountId }), answers: { account: ownList } },
  'tickets.properties.create': {
    request: (t) => ({ accountId: t.accountId, name: `p_${short()}`, label: 'Probe', type: 'string' }),
    answers: { account: ownRecord },
  },
  'tickets.properties.update': {
    request: (t) => ({ accountId: t.accountId, name: t.ticketProperties.toEdit, label: 'Relabelled' }),
  },
  'tickets.properties.delete': {
    request: (t) => ({ accountId: t.accountId, name: t.ticketProperties.toDelete }),
  },

  'forms.ping': { none: 'the service’s own state: no account, no id' },
  'forms.list': { request: (t) => ({ accountId: t.accountId }), answers: { account: ownList } },
  'forms.get': { request: (t) => ({ accountId: t.accountId, id: t.ids.form }) },
  // A form's references are checked against the account's lists: another account's is a field error.
  'forms.create': {
    request: (t) => ({
      accountId: t.accountId,
      name: `Probe ${short()}`,
      fields: [
        {
          name: 'email',
          label: 'Email',
          type: 'email',
          required: true,
          property: { object: 'contact', name: 'email' },
        },
        {
          name: 'subject',
          label: 'Subject',
          type: 'text',
          required: true,
          property: { object: 'ticket', name: 'subject' },
        },
      ],
      ticketCreation: ticketCreation(t),
    }),
    answers: { account: ownRecord },
    refusals: { inbox: 'VALIDATION_FAILED', pipeline: 'VALIDATION_FAILED', stage: 'VALIDATION_FAILED' },
  },
  'forms.createFromTemplate': {
    request: (t) => ({
      accountId: t.accountId,
      template: 'support',
      name: `Probe ${short()}`,
      ticketCreation: ticketCreation(t),
    }),
    answers: { account: ownRecord },
    refusals: { inbox: 'VALIDATION_FAILED', pipeline: 'VALIDATION_FAILED', stage: 'VALIDATION_FAILED' },
  },
  'forms.update': {
    request: (t) => ({
      accountId: t.accountId,
      id: t.ids.form,
      name: `Renamed ${short()}`,
      ticketCreation: ticketCreation(t),
    }),
    refusals: { inbox: 'VALIDATION_FAILED', pipeline: 'VALIDATION_FAILED', stage: 'VALIDATION_FAILED' },
  },
  'forms.delete': { request: (t) => ({ accountId: t.accountId, id: t.ids.formToDelete }) },
  'forms.submit': {
    request: (t) => ({
      accountId: t.accountId,
      formId: t.ids.form,
      contactId: t.ids.contact,
      values: { email: t.contactEmail, subject: 'Probe', content: 'Probe' },
    }),
    answers: {
      contact:
        'the gateway’s session contact, kept as given; delivery looks it up in the form’s account and ' +
        'falls back to the email field when it is not there',
    },
  },
  'forms.submissions.list': { request: (t) => ({ accountId: t.accountId, formId: t.ids.form }) },
  'forms.submissions.get': {
    request: (t) => ({ accountId: t.accountId, id: t.ids.submission, contactId: t.ids.contact }),
    scopedBy: 'contactId',
  },

  'inbox.ping': { none: 'the service’s own state: no account, no id' },
  'inbox.inboxes.list': { request: (t) => ({ accountId: t.accountId }), answers: { account: ownList } },
  'inbox.inboxes.create': {
    request: (t) => ({ accountId: t.accountId, kind: 'inbox', name: `Probe ${short()}` }),
    answers: { account: ownRecord },
  },
  'inbox.inboxes.update': {
    request: (t) => ({ accountId: t.accountId, id: t.ids.inbox, name: `Renamed ${short()}` }),
  },
  'inbox.inboxes.delete': { request: (t) => ({ accountId: t.accountId, id: t.ids.inboxToDelete }) },
  'inbox.threads.open': {
    request: (t) => ({
      accountId: t.accountId,
      ticketId: t.ids.ticketForThread,
      inboxId: t.ids.inbox,
      requester: { contactId: t.ids.contact, name: 'Probe', email: t.contactEmail },
      subject: 'Probe',
      bodyText: 'Probe',
      idempotencyKey: randomUUID(),
    }),
    answers: { ticketForThread: asGiven('tickets'), contact: asGiven('identity') },
  },
  'inbox.threads.list': { request: (t) => ({ accountId: t.accountId, inboxId: t.ids.inbox }) },
  'inbox.threads.get': { request: (t) => ({ accountId: t.accountId, threadId: t.ids.thread }) },
  'inbox.threads.ofTicket': {
    request: (t) => ({ accountId: t.accountId, ticketId: t.ids.ticket }),
    answers: { account: ownList, ticket: filter },
  },
  'inbox.messages.agentReply': {
    request: async (t) => ({
      accountId: t.accountId,
      threadId: t.ids.thread,
      author: { userId: t.ids.user, name: 'Probe Agent' },
      bodyHtml: '<p>Probe</p>',
      attachments: [await t.upload()],
    }),
    answers: { user: 'the author is the gateway’s session user, kept as given' },
    refusals: { upload: 'ATTACHMENT_INVALID' },
  },
  'inbox.messages.note': {
    request: (t) => ({
      accountId: t.accountId,
      threadId: t.ids.thread,
      author: { userId: t.ids.user, name: 'Probe Agent' },
      bodyHtml: '<p>Probe</p>',
    }),
    answers: { user: 'the author is the gateway’s session user, kept as given' },
  },
  'inbox.messages.reply': {
    request: async (t) => ({
      ...asCustomer(t),
      ticketId: t.ids.ticketWithoutThread,
      replyToClosed: false,
      bodyHtml: '<p>Probe</p>',
      attachments: [await t.upload()],
      inboxId: t.ids.inbox,
    }),
    refusals: { upload: 'ATTACHMENT_INVALID' },
  },
  'inbox.portal.conversation': { request: (t) => ({ ...asCustomer(t), ticketId: t.ids.ticket }) },
  'inbox.attachments.get': [
    { variant: 'for agents', request: (t) => ({ accountId: t.accountId, attachmentId: t.ids.attachment }) },
    { variant: 'the customer’s', request: (t) => ({ ...asCustomer(t), attachmentId: t.ids.attachment }) },
  ],
  'inbox.timeline.get': [
    {
      variant: 'a ticket’s, for agents',
      request: (t) => ({ accountId: t.accountId, ticketId: t.ids.ticket }),
      answers: { account: ownList, ticket: filter },
    },
    {
      variant: 'a contact’s, for agents',
      request: (t) => ({ accountId: t.accountId, contactId: t.ids.contact }),
      answers: { account: ownList, contact: filter },
    },
    { variant: 'the customer’s', request: (t) => ({ ...asCustomer(t), ticketId: t.ids.ticket }) },
  ],
};

const subjects = Object.keys(Rpc) as Subject[];
const probesOf = (subject: Subject): Probe<Subject>[] => {
  const entry = matrix[subject] as Entry<Subject> | undefined;
  if (!entry) throw new Error(`subject ${subject} has no payload builder in the matrix`);
  if ('none' in entry) return [];
  return Array.isArray(entry) ? entry : [entry];
};
/** Id fields of a subject's request schema other than the account. */
const entityIdPaths = (subject: Subject) =>
  idPaths(Rpc[subject].request).filter((path) => path !== 'accountId');

/** The records of a tenant a request names (a viewer counts as one: identity computes it whole). */
function slotsOf(request: object, t: Tenant): Slot[] {
  const { viewer, ...rest } = request as { viewer?: unknown };
  const kinds = new Set<Slot>(stringsIn(rest).flatMap((value) => t.kindOf.get(value) ?? []));
  if (viewer) kinds.add('viewer');
  return [...kinds];
}

/** The request with `from`'s record of that slot replaced by `to`'s (the viewer: a whole other one). */
function swapped<R extends object>(request: R, slot: Slot, from: Tenant, to: Tenant): R {
  if (slot === 'account') return { ...request, accountId: to.accountId };
  if (slot === 'viewer') return { ...request, viewer: to.viewers.contact };
  return stringsIn(request)
    .filter((value) => from.kindOf.get(value) === slot)
    .reduce((result, value) => replaced(result, value, to.ids[slot]), request);
}

interface Case {
  subject: Subject;
  label: string;
  request: () => Promise<object>;
  mayAnswer: boolean;
  /** Codes other than not-found ones this case may be refused with. */
  refusals: ErrorCode[];
}

/**
 * The cases of one subject where `asker`'s account is asked about `victim`'s records: each record of
 * one of asker's requests replaced by victim's of the same kind, and each of victim's requests sent
 * in asker's account. Those that must be refused come first: an answered one may leave a record
 * (of the asker's) behind that a later case would find.
 */
async function crossCases(subject: Subject, asker: Tenant, victim: Tenant): Promise<Case[]> {
  const cases: Case[] = [];
  for (const probe of probesOf(subject)) {
    const answers = probe.answers ?? {};
    const refusalsOf = (slots: Slot[]) => slots.flatMap((slot) => probe.refusals?.[slot] ?? []);
    const variant = probe.variant ? ` [${probe.variant}]` : '';
    for (const slot of slotsOf(await probe.request(asker), asker))
      cases.push({
        subject,
        label: `${asker.label} with ${victim.label}’s ${slot}${variant}`,
        request: async () => swapped(await probe.request(asker), slot, asker, victim),
        mayAnswer: slot in answers,
        refusals: refusalsOf([slot]),
      });
    const theirs: Slot[] = ['account', ...slotsOf(await probe.request(victim), victim)];
    cases.push({
      subject,
      label: `${victim.label}’s request in ${asker.label}’s account${variant}`,
      request: async () => swapped(await probe.request(victim), 'account', victim, asker),
      mayAnswer: theirs.every((slot) => slot in answers),
      refusals: refusalsOf(theirs),
    });
  }
  return cases.sort((a, b) => Number(a.mayAnswer) - Number(b.mayAnswer));
}

/** Another contact of the same account asking for the customer's records: a colleague without company access, an outsider. */
async function scopeCases(subject: Subject, t: Tenant): Promise<Case[]> {
  const cases: Case[] = [];
  for (const probe of probesOf(subject)) {
    const byViewer = 'viewer' in (await probe.request(t));
    if (!byViewer && probe.scopedBy !== 'contactId') continue;
    for (const stranger of ['colleague', 'outsider'] as const)
      cases.push({
        subject,
        label: `${t.label}’s customer’s records asked for by ${t.label}’s ${stranger}${probe.variant ? ` [${probe.variant}]` : ''}`,
        request: async () => {
          const request = await probe.request(t);
          return byViewer
            ? { ...request, viewer: t.viewers[stranger] }
            : replaced(request, t.ids.contact, t.ids[stranger]);
        },
        mayAnswer: byViewer && 'viewer' in (probe.answers ?? {}),
        refusals: [],
      });
  }
  return cases.sort((a, b) => Number(a.mayAnswer) - Number(b.mayAnswer));
}

/**
 * Runs cases of one subject against a victim: each must be refused (not found, or its declared
 * code) or, where it may be answered, answer nothing of the victim's; and the victim's records must
 * be as they were. Answers what went wrong.
 */
async function run(cases: Case[], victim: Tenant, victimSecrets: string[], planted: Set<string>) {
  const wrong: string[] = [];
  const before = await snapshotOf(client, system.filesDir, victim);
  for (const { subject, label, request: build, mayAnswer, refusals } of cases) {
    const request = await build();
    const outcome = await client.send(subject, request as never).then(
      (answer: unknown) => ({ answer }),
      (error: unknown) => ({ error }),
    );
    const where = `${subject} (${label})`;
    if ('error' in outcome) {
      const { error } = outcome;
      const code = error instanceof AppError ? error.code : String(error);
      const refused =
        error instanceof AppError &&
        (ErrorKinds[error.code] === 'not_found' || refusals.includes(error.code));
      report.push(`${where}: ${code}`);
      if (!refused) wrong.push(`${where} was refused with ${code}: ${(error as Error).message}`);
      continue;
    }
    report.push(`${where}: answered`);
    if (!mayAnswer) {
      wrong.push(`${where} was answered: ${JSON.stringify(outcome.answer).slice(0, 300)}`);
      continue;
    }
    const asked = JSON.stringify(request);
    const answer = JSON.stringify(outcome.answer);
    const leaked = victimSecrets.filter((s) => answer.includes(s) && !asked.includes(s) && !planted.has(s));
    if (leaked.length)
      wrong.push(`${where} answered with the victim’s ${leaked.join(', ')}: ${answer.slice(0, 300)}`);
    // What the asker gave may come back from its own records later: it is no longer the victim's to leak.
    for (const secret of victimSecrets) if (asked.includes(secret)) planted.add(secret);
  }
  const after = await snapshotOf(client, system.filesDir, victim);
  try {
    expect(after).toEqual(before);
  } catch (error) {
    wrong.push(`${cases[0]?.subject}: the victim’s records changed\n${(error as Error).message}`);
  }
  return wrong;
}

/** Waits until neither tenant changes any more (outboxes delivered, form submissions done). */
async function settled() {
  let last = JSON.stringify([
    await snapshotOf(client, system.filesDir, A),
    await snapshotOf(client, system.filesDir, B),
  ]);
  for (let tries = 0; tries < 30; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = JSON.stringify([
      await snapshotOf(client, system.filesDir, A),
      await snapshotOf(client, system.filesDir, B),
    ]);
    if (now === last) return;
    last = now;
  }
  throw new Error('the tenants kept changing');
}

beforeAll(async () => {
  smtp = await startTestSmtp();
  for (let i = 0; i < 2; i++)
    providers.push(await startTestOidcProvider({ redirectUri: SSO_REDIRECT_URI, users: {} }));
  system = await startSystem({
    database: 'security_subjects_test',
    env: { SMTP_URL: smtp.url, OIDC_ALLOW_INSECURE_HTTP: 'true' },
  });
  client = new RpcClient({ natsUrl: system.natsUrl, timeoutMs: 10_000 });
  const services = { client, smtp, filesDir: system.filesDir, databaseUrl: system.databaseUrl };
  A = await demoTenant(services, providers[0]);
  B = await newTenant(services, providers[1]);
  await settled();
  for (const t of [A, B]) {
    const had = JSON.stringify(await snapshotOf(client, system.filesDir, t));
    const uuids = had.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? [];
    secrets.set(t, [...new Set([t.accountId, t.marker, t.sso.issuer, ...uuids, ...t.kindOf.keys()])]);
  }
}, 300_000);

afterAll(async () => {
  if (report.length) console.log(`${report.length} cases:\n${report.join('\n')}`);
  await client?.close();
  await system?.close();
  await Promise.all(providers.map((provider) => provider.close()));
  await smtp?.stop();
});

/** What of a tenant's customer a colleague without company access or an outsider must never get. */
const customerSecrets = (t: Tenant) => [
  t.privateWord,
  ...(
    [
      'ticket',
      'ticketToClose',
      'ticketForThread',
      'ticketWithoutThread',
      'thread',
      'message',
      'attachment',
      'export',
      'submission',
    ] as const
  ).map((kind) => t.ids[kind]),
];

describe('every subject, asked with another account’s or another customer’s ids', () => {
  it('has a line in the matrix for every subject, whose requests fill every id field of its schema', async () => {
    const missing: string[] = [];
    for (const subject of subjects) {
      let probes: Probe<Subject>[];
      try {
        probes = probesOf(subject);
      } catch (error) {
        missing.push((error as Error).message);
        continue;
      }
      if (probes.length === 0 && idPaths(Rpc[subject].request).length)
        missing.push(`subject ${subject} takes ids, so it needs a payload builder`);
      const requests = await Promise.all(probes.map(async (probe) => probe.request(A)));
      for (const path of entityIdPaths(subject))
        if (!requests.some((request) => valuesAt(request, path).some((value) => A.kindOf.has(value))))
          missing.push(`subject ${subject}: no request of its matrix line fills ${path} with a record`);
    }
    expect(missing).toEqual([]);
  });

  const acrossAccounts = async (asker: Tenant, victim: Tenant) => {
    await settled();
    const planted = new Set<string>();
    const wrong: string[] = [];
    for (const subject of subjects) {
      const cases = await crossCases(subject, asker, victim);
      if (cases.length) wrong.push(...(await run(cases, victim, secrets.get(victim)!, planted)));
    }
    expect(wrong).toEqual([]);
  };

  it(
    'refuses account B’s records to account A, and changes none of them',
    () => acrossAccounts(A, B),
    240_000,
  );

  it(
    'refuses account A’s records to account B, and changes none of them',
    () => acrossAccounts(B, A),
    240_000,
  );

  it('refuses a customer’s records to a colleague without company access and to another company’s contact', async () => {
    await settled();
    const wrong: string[] = [];
    for (const t of [A, B]) {
      const planted = new Set<string>();
      for (const subject of subjects) {
        const cases = await scopeCases(subject, t);
        if (cases.length) wrong.push(...(await run(cases, t, customerSecrets(t), planted)));
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('took every request of the matrix as valid in its own account, so each refusal was the id’s doing', async () => {
    // Last: these requests change what they name (close, delete, reset a password).
    const refused: string[] = [];
    for (const subject of subjects)
      for (const probe of probesOf(subject))
        for (const t of [A, B])
          await client.send(subject, (await probe.request(t)) as never).catch((error: Error) => {
            refused.push(`${subject} (${t.label}’s own): ${error.message}`);
          });
    expect(refused).toEqual([]);
    const takingIds = subjects.filter((subject) => idPaths(Rpc[subject].request).length > 0);
    console.log(`${report.length} cases over ${takingIds.length} subjects that take an account or an id`);
    expect(report.length).toBeGreaterThanOrEqual(takingIds.length);
  }, 120_000);
});
