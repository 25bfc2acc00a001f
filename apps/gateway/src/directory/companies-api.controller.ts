import {
  CompanyView,
  CreateCompanyRequest,
  ListCompaniesRequest,
  PageOf,
  UpdateCompanyRequest,
} from '@helpdesk/contracts';
import { parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Body, Controller, Get, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { CurrentViewer, RequirePermission, type InternalViewer } from '../auth/viewer.js';
import { openApi } from '../http/openapi.js';
import { ApiPageQuery } from '../inbox/page-query.js';
import { pathId } from '../http/path-id.js';

// The account comes from the session, never from the caller.
const CreateCompanyBody = CreateCompanyRequest.omit({ accountId: true }).strict();
const UpdateCompanyBody = UpdateCompanyRequest.omit({ accountId: true, id: true }).strict();
const ListCompaniesQuery = ListCompaniesRequest.omit({ accountId: true }).strict();

const companyId = pathId('COMPANY_NOT_FOUND', 'Company');

/** The account's companies, for internal users with the `contacts` permission. */
@ApiTags('contacts')
@Controller('api/v1/companies')
@UseGuards(InternalUserGuard)
@RequirePermission('contacts')
export class CompaniesApiController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiPageQuery()
  @ApiQuery({ name: 'search', required: false, description: 'part of the name' })
  @ApiOkResponse({ schema: openApi(PageOf(CompanyView)) })
  list(@CurrentViewer() viewer: InternalViewer, @Query() query: unknown) {
    return this.rpc.send('identity.companies.list', {
      accountId: viewer.accountId,
      ...parseOrThrow(ListCompaniesQuery, query, 'query'),
    });
  }

  @Post()
  @ApiBody({ schema: openApi(CreateCompanyBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(CompanyView) })
  create(@CurrentViewer() viewer: InternalViewer, @Body() body: unknown) {
    return this.rpc.send('identity.companies.create', {
      accountId: viewer.accountId,
      ...parseOrThrow(CreateCompanyBody, body, 'company'),
    });
  }

  @Get(':id')
  @ApiOkResponse({ schema: openApi(CompanyView) })
  get(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string) {
    return this.rpc.send('identity.companies.get', { accountId: viewer.accountId, id: companyId(id) });
  }

  @Patch(':id')
  @ApiBody({ schema: openApi(UpdateCompanyBody, 'input') })
  @ApiOkResponse({ schema: openApi(CompanyView) })
  update(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string, @Body() body: unknown) {
    return this.rpc.send('identity.companies.update', {
      accountId: viewer.accountId,
      id: companyId(id),
      ...parseOrThrow(UpdateCompanyBody, body, 'company'),
    });
  }
}
