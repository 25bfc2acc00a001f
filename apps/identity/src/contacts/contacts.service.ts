import {
  propertyValueProblems,
  type CompanyView,
  type ContactView,
  type Page,
  type RpcPayload,
} from '@helpdesk/contracts';
import { AppError, decodeCursor, encodeCursor, isUuid, RpcClient } from '@helpdesk/kit';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { requireAccount } from '../accounts/require-account.js';
import { Company } from './company.entity.js';
import { ContactProperty } from './contact-property.entity.js';
import { Contact } from './contact.entity.js';
import { contactPropertyDefinitions } from './contact-properties.js';

export const toContactView = (contact: Contact): ContactView => ({
  id: contact.id,
  accountId: contact.accountId,
  email: contact.email,
  firstName: contact.firstName,
  lastName: contact.lastName,
  primaryCompanyId: contact.primaryCompanyId,
  properties: contact.properties,
  createdAt: contact.createdAt.toISOString(),
});

export const toCompanyView = (company: Company): CompanyView => ({
  id: company.id,
  accountId: company.accountId,
  name: company.name,
  domain: company.domain,
  createdAt: company.createdAt.toISOString(),
});

const likePattern = (search: string) => `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

@Injectable()
export class ContactsService {
  constructor(
    private readonly em: EntityManager,
    private readonly rpc: RpcClient,
  ) {}

  async create(request: RpcPayload<'identity.contacts.create'>): Promise<ContactView> {
    await requireAccount(this.em, request.accountId);
    await this.checkReferences(request.accountId, request.primaryCompanyId, request.properties);
    const contact = this.em.create(Contact, request);
    await this.flushUnique(request.email);
    return toContactView(contact);
  }

  async get({ accountId, id }: RpcPayload<'identity.contacts.get'>): Promise<ContactView> {
    return toContactView(await this.find(accountId, id));
  }

  async find(accountId: string, id: string): Promise<Contact> {
    const contact = await this.em.findOne(Contact, { id, accountId });
    if (!contact) throw new AppError('CONTACT_NOT_FOUND', `Contact ${id} not found`);
    return contact;
  }

  async update({
    accountId,
    id,
    properties,
    ...changes
  }: RpcPayload<'identity.contacts.update'>): Promise<ContactView> {
    const contact = await this.find(accountId, id);
    await this.checkReferences(accountId, changes.primaryCompanyId ?? null, properties ?? {});
    this.em.assign(
      contact,
      Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)),
    );
    if (properties) contact.properties = { ...contact.properties, ...properties };
    await this.flushUnique(contact.email);
    await this.announce(contact);
    return toContactView(contact);
  }

  /**
   * The contact with this email, or a new one (form submissions). Race-safe: when two requests create
   * the same email at once, the unique (account, email) index lets one insert win and the other reads
   * it. On an existing contact, names and property values fill blanks only; values that do not fit the
   * definitions are skipped rather than failing (a delivery that is retried must not fail forever).
   */
  async findOrCreate({
    accountId,
    email,
    firstName,
    lastName,
    properties = {},
  }: RpcPayload<'identity.contacts.findOrCreate'>): Promise<ContactView> {
    const fitting = await this.fittingProperties(accountId, properties);
    const existing = await this.em.findOne(Contact, { accountId, email });
    if (existing) return toContactView(await this.fillBlanks(existing, firstName, lastName, fitting));
    await requireAccount(this.em, accountId);
    const contact = this.em.create(Contact, {
      accountId,
      email,
      firstName: firstName ?? '',
      lastName: lastName ?? '',
      properties: Object.fromEntries(Object.entries(fitting).filter(([, value]) => value !== null)),
    });
    try {
      await this.em.flush();
      return toContactView(contact);
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      this.em.clear();
      const winner = await this.em.findOneOrFail(Contact, { accountId, email });
      return toContactView(await this.fillBlanks(winner, firstName, lastName, fitting));
    }
  }

  async list({
    accountId,
    after,
    limit,
    search,
    companyId,
  }: RpcPayload<'identity.contacts.list'>): Promise<Page<ContactView>> {
    // Emails are unique within the account, so the email alone is the keyset.
    const afterEmail = after === undefined ? undefined : decodeCursor(after, 1)[0];
    const contacts = await this.em.find(
      Contact,
      {
        accountId,
        ...(companyId ? { primaryCompanyId: companyId } : {}),
        ...(afterEmail ? { email: { $gt: afterEmail } } : {}),
        ...(search
          ? {
              $or: [
                { email: { $ilike: likePattern(search) } },
                { firstName: { $ilike: likePattern(search) } },
                { lastName: { $ilike: likePattern(search) } },
              ],
            }
          : {}),
      },
      { orderBy: { email: 'asc' }, limit: limit + 1 },
    );
    const items = contacts.slice(0, limit);
    return {
      items: items.map(toContactView),
      nextCursor: contacts.length > limit ? encodeCursor([items.at(-1)!.email]) : null,
    };
  }

  async createCompany(request: RpcPayload<'identity.companies.create'>): Promise<CompanyView> {
    await requireAccount(this.em, request.accountId);
    const company = this.em.create(Company, request);
    await this.em.flush();
    return toCompanyView(company);
  }

  async getCompany({ accountId, id }: RpcPayload<'identity.companies.get'>): Promise<CompanyView> {
    return toCompanyView(await this.findCompany(accountId, id));
  }

  async updateCompany({
    accountId,
    id,
    ...changes
  }: RpcPayload<'identity.companies.update'>): Promise<CompanyView> {
    const company = await this.findCompany(accountId, id);
    this.em.assign(
      company,
      Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)),
    );
    await this.em.flush();
    return toCompanyView(company);
  }

  async listCompanies({
    accountId,
    after,
    limit,
    search,
  }: RpcPayload<'identity.companies.list'>): Promise<Page<CompanyView>> {
    // Names are not unique, so the keyset is (name, id).
    const afterKey = after === undefined ? undefined : decodeCursor(after, 2, ([, id]) => isUuid(id));
    const companies = await this.em.find(
      Company,
      {
        accountId,
        ...(search ? { name: { $ilike: likePattern(search) } } : {}),
        ...(afterKey
          ? { $or: [{ name: { $gt: afterKey[0] } }, { name: afterKey[0], id: { $gt: afterKey[1] } }] }
          : {}),
      },
      { orderBy: { name: 'asc', id: 'asc' }, limit: limit + 1 },
    );
    const items = companies.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(toCompanyView),
      nextCursor: companies.length > limit && last ? encodeCursor([last.name, last.id]) : null,
    };
  }

  async findCompany(accountId: string, id: string): Promise<Company> {
    const company = await this.em.findOne(Company, { id, accountId });
    if (!company) throw new AppError('COMPANY_NOT_FOUND', `Company ${id} not found`);
    return company;
  }

  async listProperties({ accountId }: RpcPayload<'identity.contactProperties.list'>) {
    return contactPropertyDefinitions(
      await this.em.find(ContactProperty, { accountId }, { orderBy: { label: 'asc' } }),
    );
  }

  async createProperty(request: RpcPayload<'identity.contactProperties.create'>) {
    await requireAccount(this.em, request.accountId);
    if (request.type === 'enumeration' && !request.options?.length) {
      throw new AppError('VALIDATION_FAILED', 'An enumeration needs options', {
        options: ['add at least one option'],
      });
    }
    if (contactPropertyDefinitions([]).some((builtIn) => builtIn.name === request.name)) {
      throw new AppError('CONFLICT', `"${request.name}" is a built-in contact property`, {
        name: ['is a built-in property'],
      });
    }
    const property = this.em.create(ContactProperty, {
      ...request,
      options: request.type === 'enumeration' ? request.options : null,
    });
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new AppError('CONFLICT', `A property named "${request.name}" exists`, {
          name: ['is already used'],
        });
      }
      throw error;
    }
    return contactPropertyDefinitions([property]).at(-1)!;
  }

  /** The property values that fit the account's definitions (the others are dropped). */
  private async fittingProperties(accountId: string, properties: Record<string, unknown>) {
    if (Object.keys(properties).length === 0) return {};
    const definitions = await this.em.find(ContactProperty, { accountId });
    const problems = propertyValueProblems(properties, definitions, 'contact');
    return Object.fromEntries(
      Object.entries(properties).filter(([name]) => !(`properties.${name}` in problems)),
    );
  }

  /** Sets what the contact has no value for yet; never overwrites. */
  private async fillBlanks(
    contact: Contact,
    firstName: string | undefined,
    lastName: string | undefined,
    properties: Record<string, unknown>,
  ): Promise<Contact> {
    let changed = false;
    if (firstName && !contact.firstName) [contact.firstName, changed] = [firstName, true];
    if (lastName && !contact.lastName) [contact.lastName, changed] = [lastName, true];
    const missing = Object.entries(properties).filter(
      ([name, value]) => value !== null && (contact.properties[name] ?? null) === null,
    );
    if (missing.length) {
      contact.properties = { ...contact.properties, ...Object.fromEntries(missing) };
      changed = true;
    }
    if (changed) {
      await this.em.flush();
      await this.announce(contact);
    }
    return contact;
  }

  /**
   * The portal caches what each contact may see (their company, their place in the permissions'
   * segment): routed before the change is answered, so the contact's next page already follows it.
   */
  private announce(contact: Contact): Promise<void> {
    return this.rpc.emit(
      'contact.updated',
      { accountId: contact.accountId, contactId: contact.id, occurredAt: new Date().toISOString() },
      { routed: true },
    );
  }

  private async checkReferences(
    accountId: string,
    companyId: string | null,
    properties: Record<string, unknown>,
  ) {
    if (companyId) await this.findCompany(accountId, companyId);
    if (Object.keys(properties).length === 0) return;
    const definitions = await this.em.find(ContactProperty, { accountId });
    const problems = propertyValueProblems(properties, definitions, 'contact');
    if (Object.keys(problems).length)
      throw new AppError('VALIDATION_FAILED', 'Some property values are not valid', problems);
  }

  private async flushUnique(email: string) {
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new AppError('EMAIL_TAKEN', `A contact with the email ${email} exists`, {
          email: ['is already used by another contact'],
        });
      }
      throw error;
    }
  }
}
