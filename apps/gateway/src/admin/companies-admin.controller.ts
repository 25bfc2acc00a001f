import type { CompanyView } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf } from '../auth/csrf.js';
import type { InternalViewer } from '../auth/viewer.js';
import { pathId } from '../http/path-id.js';
import { formField } from '../http/form-fields.js';
import { PageViews } from '../http/page-views.js';
import { AdminErrorFilter } from './admin-error.filter.js';
import { adminLayoutData, requireAdmin } from './admin-page.js';
import { firstPageHref, listQuery, nextPageHref, refusalOf, type FormRefusal } from './directory-pages.js';

const companyId = pathId('COMPANY_NOT_FOUND', 'Company');

/** The company form as typed: name and domain; an empty domain is none. */
interface CompanyForm {
  name: string;
  domain: string;
}

const formOf = (body: unknown): CompanyForm => ({
  name: formField(body, 'name').trim(),
  domain: formField(body, 'domain').trim(),
});

/** Companies (issue 8): a searchable, paged list and one form to create or edit a company. */
@ApiExcludeController()
@UseFilters(AdminErrorFilter)
@Controller('admin/companies')
export class CompaniesAdminController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly views: PageViews,
  ) {}

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    const { q, after } = listQuery(req.query);
    const page = await this.rpc.send('identity.companies.list', {
      accountId: user.accountId,
      ...(q ? { search: q } : {}),
      ...(after ? { after } : {}),
    });
    this.views.render(res, 'admin/companies.liquid', {
      ...adminLayoutData(req, user, { title: 'Companies', section: 'contacts' }),
      q,
      companies: page.items,
      nextHref: nextPageHref('/admin/companies', q, page.nextCursor),
      firstHref: firstPageHref('/admin/companies', q, after),
    });
  }

  @Get('new')
  newCompany(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    this.renderForm(req, res, user, { company: null, form: { name: '', domain: '' } });
  }

  @Post()
  async create(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    assertCsrf(req);
    const form = formOf(req.body);
    let created: CompanyView;
    try {
      created = await this.rpc.send('identity.companies.create', {
        accountId: user.accountId,
        name: form.name,
        domain: form.domain || null,
      });
    } catch (error) {
      const refusal = refusalOf(error);
      return this.renderForm(req, res, user, { company: null, form, refusal }, refusal.status);
    }
    res.redirect(303, `/admin/companies/${created.id}?created=1`);
  }

  @Get(':id')
  async edit(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    const company = await this.rpc.send('identity.companies.get', {
      accountId: user.accountId,
      id: companyId(id),
    });
    const notice =
      req.query.created === '1' ? 'Company created.' : req.query.saved === '1' ? 'Company saved.' : null;
    this.renderForm(req, res, user, {
      company,
      form: { name: company.name, domain: company.domain ?? '' },
      notice,
    });
  }

  @Post(':id')
  async save(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'contacts');
    assertCsrf(req);
    const company = await this.rpc.send('identity.companies.get', {
      accountId: user.accountId,
      id: companyId(id),
    });
    const form = formOf(req.body);
    try {
      await this.rpc.send('identity.companies.update', {
        accountId: user.accountId,
        id: company.id,
        name: form.name,
        domain: form.domain || null,
      });
    } catch (error) {
      const refusal = refusalOf(error);
      return this.renderForm(req, res, user, { company, form, refusal }, refusal.status);
    }
    res.redirect(303, `/admin/companies/${company.id}?saved=1`);
  }

  private renderForm(
    req: Request,
    res: Response,
    user: InternalViewer,
    state: { company: CompanyView | null; form: CompanyForm; refusal?: FormRefusal; notice?: string | null },
    status = 200,
  ): void {
    this.views.render(
      res,
      'admin/companies-form.liquid',
      {
        ...adminLayoutData(req, user, { title: state.company?.name ?? 'New company', section: 'contacts' }),
        company: state.company,
        form: state.form,
        errors: state.refusal?.fields ?? {},
        refusal: state.refusal?.message ?? null,
        notice: state.notice ?? null,
      },
      status,
    );
  }
}
