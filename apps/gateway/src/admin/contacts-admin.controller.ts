import type { ContactPropertyView, ContactView, PropertyType } from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { assertCsrf } from '../auth/csrf.js';
import type { InternalViewer } from '../auth/viewer.js';
import { pathId } from '../http/path-id.js';
import { formField } from '../http/form-fields.js';
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

const contactId = pathId('CONTACT_NOT_FOUND', 'Contact');

type Property = z.infer<typeof ContactPropertyView>;

/** The contact form as typed (or as stored): every value is the text its field shows. */
interface ContactForm {
  email: string;
  firstName: string;
  lastName: string;
  /** The primary company's name; empty is none. */
  company: string;
  properties: Record<string, string>;
}

/** A stored property value as its field shows it (a date field takes `YYYY-MM-DD`). */
function fieldText(type: PropertyType, value: unknown): string {
  if (typeof value === 'string') return type === 'date' ? value.slice(0, 10) : value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/**
 * A typed property value as the contact stores it; an empty field clears it. Text that does not fit
 * the type goes to identity as typed, so its refusal names the field.
 */
function propertyValue(type: PropertyType, text: string): string | number | boolean | null {
  if (text === '') return null;
  if (type === 'number') return Number.isFinite(Number(text)) ? Number(text) : text;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

const formOf = (body: unknown, properties: Property[]): ContactForm => ({
  email: formField(body, 'email').trim(),
  firstName: formField(body, 'firstName').trim(),
  lastName: formField(body, 'lastName').trim(),
  company: formField(body, 'company').trim(),
  properties: Object.fromEntries(
    properties.map((property) => [property.name, formField(body, `properties.${property.name}`).trim()]),
  ),
});

/**
 * Contacts (issue 8): a searchable, paged list, and one form to create or edit a contact's email,
 * names, primary company (picked by name) and the account's custom contact properties, each with
 * the field its type needs. Identity validates; what it refuses comes back at the field, as typed.
 */
@ApiExcludeController()
@UseFilters(AdminErrorFilter)
@Controller('admin/contacts')
export class ContactsAdminController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly views: PageViews,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    const { q, after } = listQuery(req.query);
    const page = await this.rpc.send('identity.contacts.list', {
      accountId: user.accountId,
      ...(q ? { search: q } : {}),
      ...(after ? { after } : {}),
    });
    const companies = await this.companyNames(
      user.accountId,
      page.items.map((contact) => contact.primaryCompanyId),
    );
    this.views.render(res, 'admin/contacts.liquid', {
      ...adminLayoutData(req, user, { title: 'Contacts', section: 'contacts' }),
      q,
      contacts: page.items.map((contact) => ({
        id: contact.id,
        name: contactName(contact),
        email: contact.email,
        company: contact.primaryCompanyId ? companies.get(contact.primaryCompanyId) : '',
      })),
      nextHref: nextPageHref('/admin/contacts', q, page.nextCursor),
      firstHref: firstPageHref('/admin/contacts', q, after),
    });
  }

  @Get('new')
  async newContact(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    const properties = await this.customProperties(user);
    const form = { email: '', firstName: '', lastName: '', company: '', properties: {} };
    await this.renderForm(req, res, user, { contact: null, form, properties });
  }

  @Post()
  async create(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    assertCsrf(req);
    const properties = await this.customProperties(user);
    const form = formOf(req.body, properties);
    let created: ContactView;
    try {
      const values = this.propertyValues(form, properties);
      created = await this.rpc.send('identity.contacts.create', {
        accountId: user.accountId,
        email: form.email,
        firstName: form.firstName,
        lastName: form.lastName,
        primaryCompanyId: await this.companyIdOf(user.accountId, form.company),
        // A new contact stores only the values given.
        properties: Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null)),
      });
    } catch (error) {
      const refusal = refusalOf(error);
      return this.renderForm(req, res, user, { contact: null, form, properties, refusal }, refusal.status);
    }
    res.redirect(303, `/admin/contacts/${created.id}?created=1`);
  }

  @Get(':id')
  async edit(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    const [contact, properties] = await Promise.all([
      this.rpc.send('identity.contacts.get', { accountId: user.accountId, id: contactId(id) }),
      this.customProperties(user),
    ]);
    const company = contact.primaryCompanyId
      ? (
          await this.rpc.send('identity.companies.get', {
            accountId: user.accountId,
            id: contact.primaryCompanyId,
          })
        ).name
      : '';
    const form: ContactForm = {
      email: contact.email,
      firstName: contact.firstName,
      lastName: contact.lastName,
      company,
      properties: Object.fromEntries(
        properties.map((property) => [
          property.name,
          fieldText(property.type, contact.properties[property.name]),
        ]),
      ),
    };
    const notice =
      req.query.created === '1' ? 'Contact created.' : req.query.saved === '1' ? 'Contact saved.' : null;
    await this.renderForm(req, res, user, { contact, form, properties, notice });
  }

  @Post(':id')
  async save(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    assertCsrf(req);
    const [contact, properties] = await Promise.all([
      this.rpc.send('identity.contacts.get', { accountId: user.accountId, id: contactId(id) }),
      this.customProperties(user),
    ]);
    const form = formOf(req.body, properties);
    try {
      await this.rpc.send('identity.contacts.update', {
        accountId: user.accountId,
        id: contact.id,
        email: form.email,
        firstName: form.firstName,
        lastName: form.lastName,
        primaryCompanyId: await this.companyIdOf(user.accountId, form.company),
        properties: this.propertyValues(form, properties),
      });
    } catch (error) {
      const refusal = refusalOf(error);
      return this.renderForm(req, res, user, { contact, form, properties, refusal }, refusal.status);
    }
    res.redirect(303, `/admin/contacts/${contact.id}?saved=1`);
  }

  /** The account's own contact properties: the built-in ones (email, names) have fields of their own. */
  private async customProperties(user: InternalViewer): Promise<Property[]> {
    const all = await this.rpc.send('identity.contactProperties.list', { accountId: user.accountId });
    return all.filter((property) => !property.builtIn);
  }

  private propertyValues(form: ContactForm, properties: Property[]) {
    return Object.fromEntries(
      properties.map((property) => [
        property.name,
        propertyValue(property.type, form.properties[property.name] ?? ''),
      ]),
    );
  }

  /**
   * The company the form names (case-insensitive, the whole name); empty is none. A name no company
   * has, or several have, is refused at the field.
   */
  private async companyIdOf(accountId: string, name: string): Promise<string | null> {
    if (!name) return null;
    const named: string[] = [];
    let after: string | undefined;
    // The search matches the name anywhere, so the exact name may be on a later page.
    do {
      const page = await this.rpc.send('identity.companies.list', {
        accountId,
        search: name,
        limit: 100,
        ...(after ? { after } : {}),
      });
      for (const company of page.items)
        if (company.name.toLowerCase() === name.toLowerCase()) named.push(company.id);
      after = page.nextCursor ?? undefined;
    } while (after);
    if (named.length === 1) return named[0];
    throw new AppError('VALIDATION_FAILED', `The company “${name}” could not be chosen`, {
      company: [
        named.length
          ? 'several companies have this name: rename one on the Companies page first'
          : 'no company has this name: add it on the Companies page first',
      ],
    });
  }

  /** The names of the companies with these ids. */
  private async companyNames(accountId: string, ids: (string | null)[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids.filter((id): id is string => id !== null))];
    const companies = await Promise.all(
      unique.map((id) => this.rpc.send('identity.companies.get', { accountId, id })),
    );
    return new Map(companies.map((company) => [company.id, company.name]));
  }

  private async renderForm(
    req: Request,
    res: Response,
    user: InternalViewer,
    state: {
      contact: ContactView | null;
      form: ContactForm;
      properties: Property[];
      refusal?: FormRefusal;
      notice?: string | null;
    },
    status = 200,
  ): Promise<void> {
    // Suggestions for the company field (any company can be typed by name), and the contact's groups.
    const [companies, groups] = await Promise.all([
      this.rpc.send('identity.companies.list', { accountId: user.accountId, limit: 100 }),
      state.contact
        ? this.rpc.send('identity.accessGroups.ofContact', {
            accountId: user.accountId,
            contactId: state.contact.id,
          })
        : Promise.resolve([]),
    ]);
    const errors = state.refusal?.fields ?? {};
    const title = state.contact ? contactName(state.contact) || state.contact.email : 'New contact';
    this.views.render(
      res,
      'admin/contacts-form.liquid',
      {
        ...adminLayoutData(req, user, { title, section: 'contacts' }),
        contact: state.contact ? { id: state.contact.id, email: state.contact.email } : null,
        form: state.form,
        errors: { ...errors, company: errors.company ?? errors.primaryCompanyId },
        refusal: state.refusal?.message ?? null,
        notice: state.notice ?? null,
        companies: companies.items.map((company) => company.name),
        groups: groups.map((group) => ({ id: group.id, name: group.name })),
        properties: state.properties.map((property) => {
          const value = state.form.properties[property.name] ?? '';
          return {
            name: property.name,
            id: `property-${property.name}`,
            label: property.label,
            type: property.type,
            value,
            options: (property.options ?? []).map((option) => ({
              ...option,
              selected: option.value === value,
            })),
            error: errors[`properties.${property.name}`] ?? null,
          };
        }),
      },
      status,
    );
  }
}
