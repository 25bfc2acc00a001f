import { z } from 'zod';
import { AccountScoped, Id, IsoDateTime, PageOf, PageRequest, PingRequest, PingResponse } from './common.js';
import { PropertyType } from './filters.js';
import { Hostname, Language, PortalSectionName, PortalView, ResolvedPortal } from './portal.js';
import { rpc } from './rpc.js';

/**
 * What an internal user (admin, agent) may do; checked by the gateway on every admin route. `ops`:
 * the queue dashboard (/admin/queues), where jobs can be retried and queues cleaned.
 */
export const Permission = z.enum(['portal.settings', 'tickets', 'inbox', 'forms', 'contacts', 'ops']);
export type Permission = z.infer<typeof Permission>;

export const InternalUserView = z.object({
  id: Id,
  accountId: Id,
  email: z.string(),
  name: z.string(),
  permissions: z.array(Permission),
});
export type InternalUserView = z.infer<typeof InternalUserView>;

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }));

export const AuthenticateUserRequest = z.object({
  email: Email,
  password: z.string().min(1, 'is required').max(1024),
});
export type AuthenticateUserRequest = z.input<typeof AuthenticateUserRequest>;

export const GetUserRequest = AccountScoped.extend({ id: Id });

// Contacts and companies

const name = z.string().trim().max(100);
export const PropertyValues = z.record(
  z.string().max(100),
  z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
);

export const ContactView = z.object({
  id: Id,
  accountId: Id,
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  primaryCompanyId: Id.nullable(),
  properties: z.record(z.string(), z.unknown()),
  createdAt: IsoDateTime,
});
export type ContactView = z.infer<typeof ContactView>;

export const CreateContactRequest = AccountScoped.extend({
  email: Email,
  firstName: name.default(''),
  lastName: name.default(''),
  primaryCompanyId: Id.nullable().default(null),
  properties: PropertyValues.default({}),
});
export const UpdateContactRequest = AccountScoped.extend({
  id: Id,
  email: Email.optional(),
  firstName: name.optional(),
  lastName: name.optional(),
  primaryCompanyId: Id.nullable().optional(),
  properties: PropertyValues.optional(),
});
/**
 * The contact with this email, created when there is none (race-safe on the unique email). Names and
 * custom property values fill only what the contact has no value for, so a public form can never
 * overwrite what a contact or an agent entered; values that do not fit the definitions are skipped.
 */
export const FindOrCreateContactRequest = AccountScoped.extend({
  email: Email,
  firstName: name.optional(),
  lastName: name.optional(),
  properties: PropertyValues.optional(),
});
export const ListContactsRequest = AccountScoped.extend({
  ...PageRequest.shape,
  /** Matches email, first or last name (case-insensitive, anywhere in the text). */
  search: z.string().trim().max(200).optional(),
  companyId: Id.optional(),
});

export const CompanyView = z.object({
  id: Id,
  accountId: Id,
  name: z.string(),
  domain: z.string().nullable(),
  createdAt: IsoDateTime,
});
export type CompanyView = z.infer<typeof CompanyView>;
export const CreateCompanyRequest = AccountScoped.extend({
  name: z.string().trim().min(1, 'is required').max(200),
  domain: Hostname.nullable().default(null),
});
export const UpdateCompanyRequest = AccountScoped.extend({
  id: Id,
  name: z.string().trim().min(1, 'is required').max(200).optional(),
  domain: Hostname.nullable().optional(),
});
export const ListCompaniesRequest = AccountScoped.extend({
  ...PageRequest.shape,
  search: z.string().trim().max(200).optional(),
});

export const ContactPropertyView = z.object({
  name: z.string(),
  label: z.string(),
  type: PropertyType,
  options: z.array(z.object({ value: z.string(), label: z.string() })).nullable(),
  builtIn: z.boolean(),
});
export const CreateContactPropertyRequest = AccountScoped.extend({
  name: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,99}$/, 'must start with a letter and contain only a-z, 0-9 and _'),
  label: z.string().trim().min(1, 'is required').max(100),
  type: PropertyType,
  options: z
    .array(z.object({ value: z.string().trim().min(1).max(100), label: z.string().trim().min(1).max(100) }))
    .max(200)
    .nullable()
    .default(null),
});

// Access groups

export const InvitationStatus = z.enum(['pending', 'accepted', 'failed']);
export const AccessGroupView = z.object({
  id: Id,
  accountId: Id,
  name: z.string(),
  memberCount: z.number().int(),
});
export const AccessGroupMemberView = z.object({
  contact: ContactView,
  invitationStatus: InvitationStatus,
  invitedAt: IsoDateTime.nullable(),
});
export const CreateAccessGroupRequest = AccountScoped.extend({
  name: z.string().trim().min(1, 'is required').max(100),
});
export const AccessGroupRequest = AccountScoped.extend({ groupId: Id });
export const ChangeMembersRequest = AccessGroupRequest.extend({ contactIds: z.array(Id).min(1).max(500) });
export const ListMembersRequest = AccessGroupRequest.extend(PageRequest.shape);
export const ResendInvitationRequest = AccessGroupRequest.extend({ contactId: Id });

// The portal

export const GetPortalRequest = AccountScoped;
export const UpdatePortalRequest = AccountScoped.extend({
  /** The internal user saving, for the audit log. */
  actorUserId: Id,
  section: PortalSectionName,
  /** The section's new settings, validated against its schema in PortalSections. */
  settings: z.unknown(),
});
export const ResolvePortalRequest = z.object({
  host: z.string().trim().toLowerCase().max(253),
  slug: z.string().trim().toLowerCase().max(60),
});
export const PortalAuditEntry = z.object({
  id: Id,
  actorUserId: Id.nullable(),
  section: PortalSectionName,
  before: z.unknown(),
  after: z.unknown(),
  at: IsoDateTime,
});
export const ListPortalAuditRequest = AccountScoped.extend(PageRequest.shape);

export const AddDomainRequest = AccountScoped.extend({
  hostname: Hostname,
  language: Language.default('en'),
  primary: z.boolean().default(false),
});
export const UpdateDomainRequest = AccountScoped.extend({
  id: Id,
  language: Language.optional(),
  primary: z.literal(true).optional(),
});
export const RemoveDomainRequest = AccountScoped.extend({ id: Id });

/** Whether a contact sees company tickets on the portal, and which company (SPEC S4). */
export const ViewerScope = z.object({
  contactId: Id,
  companyId: Id.nullable(),
  seesCompanyTickets: z.boolean(),
});
export type ViewerScope = z.infer<typeof ViewerScope>;
export const ViewerScopeRequest = AccountScoped.extend({ contactId: Id });

// Portal logins

/** OWASP ASVS: at least 8 characters, 64 or more allowed, no composition rules (common ones refused by the service). */
export const NewPassword = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

export const PortalLoginRequest = AccountScoped.extend({
  email: Email,
  password: z.string().min(1, 'is required').max(1024),
});
export const PortalLoginResult = z.object({ contact: ContactView });
export const RegisterRequest = AccountScoped.extend({
  /** The domain the registration page was served on (its consent notice applies). */
  domainId: Id,
  email: Email,
  firstName: name.min(1, 'is required'),
  lastName: name.min(1, 'is required'),
  password: NewPassword,
  consent: z.boolean().default(false),
});
export const Accepted = z.object({ accepted: z.literal(true) });
export const TokenRequest = AccountScoped.extend({ token: z.string().min(16).max(200) });
export const TokenWithPasswordRequest = TokenRequest.extend({ password: NewPassword });
export const PasswordResetRequest = AccountScoped.extend({
  email: Email,
  /** The domain the request was made on: the mail is in its language and links to it. Else the primary domain. */
  domainId: Id.optional(),
});

/** Kept by the gateway in the visitor's server-side session between start and complete; never sent to the browser. */
export const SsoSecrets = z.object({
  state: z.string().min(16).max(512),
  nonce: z.string().min(16).max(512),
  codeVerifier: z.string().min(43).max(512),
});
export const SsoStartRequest = AccountScoped.extend({
  redirectUri: z.url({ protocol: /^https?$/ }).max(2000),
});
export const SsoStartResult = z.object({ authorizationUrl: z.string(), secrets: SsoSecrets });
export const SsoCompleteRequest = AccountScoped.extend({
  callbackUrl: z.url({ protocol: /^https?$/ }).max(8000),
  secrets: SsoSecrets,
});

export const IdentityRpc = {
  'identity.ping': rpc(PingRequest, PingResponse),
  'identity.users.authenticate': rpc(AuthenticateUserRequest, InternalUserView),
  'identity.users.get': rpc(GetUserRequest, InternalUserView),
  /** The account's internal users by name: whom a ticket can be assigned to. */
  'identity.users.list': rpc(AccountScoped, z.array(InternalUserView)),

  'identity.contacts.create': rpc(CreateContactRequest, ContactView),
  'identity.contacts.get': rpc(AccountScoped.extend({ id: Id }), ContactView),
  'identity.contacts.update': rpc(UpdateContactRequest, ContactView),
  'identity.contacts.list': rpc(ListContactsRequest, PageOf(ContactView)),
  'identity.contacts.findOrCreate': rpc(FindOrCreateContactRequest, ContactView),
  'identity.companies.create': rpc(CreateCompanyRequest, CompanyView),
  'identity.companies.get': rpc(AccountScoped.extend({ id: Id }), CompanyView),
  'identity.companies.update': rpc(UpdateCompanyRequest, CompanyView),
  'identity.companies.list': rpc(ListCompaniesRequest, PageOf(CompanyView)),
  'identity.contactProperties.list': rpc(AccountScoped, z.array(ContactPropertyView)),
  'identity.contactProperties.create': rpc(CreateContactPropertyRequest, ContactPropertyView),

  'identity.accessGroups.create': rpc(CreateAccessGroupRequest, AccessGroupView),
  'identity.accessGroups.list': rpc(AccountScoped, z.array(AccessGroupView)),
  /** The groups a contact is a member of, by name. */
  'identity.accessGroups.ofContact': rpc(AccountScoped.extend({ contactId: Id }), z.array(AccessGroupView)),
  'identity.accessGroups.addMembers': rpc(ChangeMembersRequest, AccessGroupView),
  'identity.accessGroups.removeMembers': rpc(ChangeMembersRequest, AccessGroupView),
  'identity.accessGroups.members': rpc(ListMembersRequest, PageOf(AccessGroupMemberView)),
  'identity.accessGroups.resendInvitation': rpc(ResendInvitationRequest, Accepted),

  'identity.portal.get': rpc(GetPortalRequest, PortalView),
  'identity.portal.update': rpc(UpdatePortalRequest, PortalView),
  'identity.portal.resolve': rpc(ResolvePortalRequest, ResolvedPortal),
  'identity.portal.audit': rpc(ListPortalAuditRequest, PageOf(PortalAuditEntry)),
  'identity.domains.add': rpc(AddDomainRequest, PortalView),
  'identity.domains.update': rpc(UpdateDomainRequest, PortalView),
  'identity.domains.remove': rpc(RemoveDomainRequest, PortalView),
  'identity.viewer.scope': rpc(ViewerScopeRequest, ViewerScope),

  'identity.portal.login': rpc(PortalLoginRequest, PortalLoginResult),
  'identity.portal.register': rpc(RegisterRequest, Accepted),
  'identity.portal.verifyEmail': rpc(TokenRequest, PortalLoginResult),
  'identity.portal.acceptInvitation': rpc(TokenWithPasswordRequest, PortalLoginResult),
  'identity.portal.requestPasswordReset': rpc(PasswordResetRequest, Accepted),
  'identity.portal.resetPassword': rpc(TokenWithPasswordRequest, PortalLoginResult),
  'identity.sso.start': rpc(SsoStartRequest, SsoStartResult),
  'identity.sso.complete': rpc(SsoCompleteRequest, PortalLoginResult),
};

export const IdentityEvents = {
  'portal.updated': z.object({ accountId: Id, portalId: Id, section: z.string(), occurredAt: IsoDateTime }),
  /** The gateway ends every session of the contact (password changed, access removed). */
  'contact.sessions.revoked': z.object({ accountId: Id, contactId: Id, occurredAt: IsoDateTime }),
  /** A contact's company or property values changed: what they may see on the portal may have too. */
  'contact.updated': z.object({ accountId: Id, contactId: Id, occurredAt: IsoDateTime }),
};
