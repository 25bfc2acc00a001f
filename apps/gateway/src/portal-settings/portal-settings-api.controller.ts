import {
  AddDomainRequest,
  PageOf,
  PortalAuditEntry,
  PortalSectionName,
  PortalSections,
  PortalView,
  SystemPageType,
  UpdateDomainRequest,
  type FieldErrors,
  type PortalSection,
  type PortalSettings,
} from '@helpdesk/contracts';
import { AppError, parseOrThrow, RpcClient } from '@helpdesk/kit';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { CurrentViewer, RequirePermission, type InternalViewer } from '../auth/viewer.js';
import { pathId } from '../http/path-id.js';
import { openApi } from '../http/openapi.js';
import { ApiPageQuery, PageQuery } from '../inbox/page-query.js';
import { validateTemplate, type TemplateProblem } from '../portal/system-pages.js';

// The account and the actor come from the session, never from the caller.
const AddDomainBody = AddDomainRequest.omit({ accountId: true }).strict();
const UpdateDomainBody = UpdateDomainRequest.omit({ accountId: true, id: true }).strict();
const ValidateTemplateBody = z.object({ type: SystemPageType, source: z.string() }).strict();
const Validated = z.object({ ok: z.literal(true) });

const domainId = pathId('DOMAIN_NOT_FOUND', 'Domain');

function sectionOf(name: string): PortalSection {
  const parsed = PortalSectionName.safeParse(name);
  if (!parsed.success)
    throw new AppError(
      'ROUTE_NOT_FOUND',
      `The portal has no settings section "${name}"; its sections are ${PortalSectionName.options.join(', ')}`,
    );
  return parsed.data;
}

const describeProblem = ({ message, line, column }: TemplateProblem) =>
  line === undefined ? message : `line ${line}, column ${column}: ${message}`;

/**
 * Refuses Liquid templates that do not parse, each problem under its field path. Identity cannot
 * check them (the Liquid sandbox lives in the gateway), so this is what keeps a broken page from
 * being stored.
 */
function assertTemplatesParse(sources: [path: string, source: string][], what: string): void {
  const fields: FieldErrors = {};
  for (const [path, source] of sources) {
    const problems = validateTemplate(source).map(describeProblem);
    if (problems.length) fields[path] = problems;
  }
  const described = Object.entries(fields).map(([path, messages]) => `${path} ${messages.join(', ')}`);
  if (described.length) throw new AppError('VALIDATION_FAILED', `${what}: ${described.join('; ')}`, fields);
}

/** Identity files a section's problems under `settings.`; this API's body is the settings themselves. */
function withPathsInBody(error: unknown): unknown {
  if (!(error instanceof AppError) || !error.fields) return error;
  const fields = Object.fromEntries(
    Object.entries(error.fields).map(([path, messages]) => [path.replace(/^settings\./, ''), messages]),
  );
  return new AppError(error.code, error.message, fields);
}

/**
 * The customer portal's settings (SPEC S1–S14), their audit log and the portal's domains, for
 * internal users with the `portal.settings` permission. Identity validates and audits every change;
 * the OIDC client secret is write-only (views say only `access.oidcSecretSet`).
 */
@ApiTags('portal')
@Controller('api/v1/portal')
@UseGuards(InternalUserGuard)
@RequirePermission('portal.settings')
export class PortalSettingsApiController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOkResponse({ schema: openApi(PortalView) })
  get(@CurrentViewer() viewer: InternalViewer) {
    return this.rpc.send('identity.portal.get', { accountId: viewer.accountId });
  }

  @Put('sections/:section')
  @ApiOperation({
    summary: 'Save one section of the settings',
    description:
      'The body is the whole section (the schema of the section named in the path). Invalid settings: ' +
      '400 VALIDATION_FAILED with field paths inside the body, and nothing is saved. An unknown section: 404.',
  })
  @ApiParam({ name: 'section', enum: PortalSectionName.options })
  @ApiBody({ schema: openApi(z.union(Object.values(PortalSections)), 'input') })
  @ApiOkResponse({ schema: openApi(PortalView) })
  async saveSection(
    @CurrentViewer() viewer: InternalViewer,
    @Param('section') name: string,
    @Body() body: unknown,
  ) {
    const section = sectionOf(name);
    const settings = parseOrThrow(PortalSections[section], body, `${section} settings`);
    if (section === 'systemPages') {
      const { pages } = settings as PortalSettings['systemPages'];
      assertTemplatesParse(
        Object.entries(pages).flatMap(([type, page]) =>
          page.source === null ? [] : [[`pages.${type}.source`, page.source] as [string, string]],
        ),
        'Invalid systemPages settings',
      );
    }
    try {
      return await this.rpc.send('identity.portal.update', {
        accountId: viewer.accountId,
        actorUserId: viewer.id,
        section,
        settings,
      });
    } catch (error) {
      throw withPathsInBody(error);
    }
  }

  /** Newest first: who saved which section, the section before and after, and when. */
  @Get('audit')
  @ApiPageQuery()
  @ApiOkResponse({ schema: openApi(PageOf(PortalAuditEntry)) })
  audit(@CurrentViewer() viewer: InternalViewer, @Query() query: unknown) {
    return this.rpc.send('identity.portal.audit', {
      accountId: viewer.accountId,
      ...parseOrThrow(PageQuery, query, 'query'),
    });
  }

  /** A host name used by any account already: 409 CONFLICT. The account's first domain is primary. */
  @Post('domains')
  @ApiBody({ schema: openApi(AddDomainBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(PortalView) })
  addDomain(@CurrentViewer() viewer: InternalViewer, @Body() body: unknown) {
    return this.rpc.send('identity.domains.add', {
      accountId: viewer.accountId,
      ...parseOrThrow(AddDomainBody, body, 'domain'),
    });
  }

  /** `primary: true` makes this the primary domain (the others stop being it). */
  @Patch('domains/:id')
  @ApiBody({ schema: openApi(UpdateDomainBody, 'input') })
  @ApiOkResponse({ schema: openApi(PortalView) })
  updateDomain(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string, @Body() body: unknown) {
    return this.rpc.send('identity.domains.update', {
      accountId: viewer.accountId,
      id: domainId(id),
      ...parseOrThrow(UpdateDomainBody, body, 'domain'),
    });
  }

  /** The primary domain (so also the last one) cannot be removed: 409 CONFLICT. Its consent notice goes with it. */
  @Delete('domains/:id')
  @ApiOkResponse({ schema: openApi(PortalView) })
  removeDomain(@CurrentViewer() viewer: InternalViewer, @Param('id') id: string) {
    return this.rpc.send('identity.domains.remove', { accountId: viewer.accountId, id: domainId(id) });
  }

  @Post('system-pages/validate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check that a system page template parses, before saving it',
    description:
      'A template that does not parse: 400 VALIDATION_FAILED with the parser’s message under `source`.',
  })
  @ApiBody({ schema: openApi(ValidateTemplateBody, 'input') })
  @ApiOkResponse({ schema: openApi(Validated) })
  validateTemplate(@Body() body: unknown) {
    const { type, source } = parseOrThrow(ValidateTemplateBody, body, 'template');
    assertTemplatesParse([['source', source]], `The ${type} page template does not parse`);
    return { ok: true };
  }
}
