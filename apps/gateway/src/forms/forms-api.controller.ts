import {
  CreateFormFromTemplateRequest,
  CreateFormRequest,
  FormView,
  ListSubmissionsRequest,
  PageOf,
  PageRequest,
  SubmissionView,
  UpdateFormRequest,
} from '@helpdesk/contracts';
import { parseOrThrow, RpcClient } from '@helpdesk/kit';
import { Body, Controller, Delete, Get, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { CurrentViewer, RequirePermission, type Viewer } from '../auth/viewer.js';
import { openApi } from '../http/openapi.js';
import { pathId } from '../http/path-id.js';

// The account comes from the session, never from the caller.
const CreateFormBody = CreateFormRequest.omit({ accountId: true }).strict();
const UpdateFormBody = UpdateFormRequest.omit({ accountId: true, id: true }).strict();
const SupportTemplateBody = CreateFormFromTemplateRequest.omit({ accountId: true, template: true }).strict();
const PageQuery = z.object({ after: PageRequest.shape.after, limit: PageRequest.shape.limit }).strict();
const SubmissionsQuery = PageQuery.extend({ status: ListSubmissionsRequest.shape.status }).strict();

const formId = pathId('FORM_NOT_FOUND', 'Form');

/** The account's forms and their submissions, for internal users with the `forms` permission. */
@ApiTags('forms')
@Controller('api/v1/forms')
@UseGuards(InternalUserGuard)
@RequirePermission('forms')
export class FormsApiController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiQuery({ name: 'after', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 } })
  @ApiOkResponse({ schema: openApi(PageOf(FormView)) })
  list(@CurrentViewer() viewer: Viewer, @Query() query: unknown) {
    return this.rpc.send('forms.list', {
      accountId: viewer.accountId,
      ...parseOrThrow(PageQuery, query, 'query'),
    });
  }

  @Post()
  @ApiBody({ schema: openApi(CreateFormBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(FormView) })
  create(@CurrentViewer() viewer: Viewer, @Body() body: unknown) {
    return this.rpc.send('forms.create', {
      accountId: viewer.accountId,
      ...parseOrThrow(CreateFormBody, body, 'form'),
    });
  }

  /** S5's "support form": email, first and last name, subject, description and priority. */
  @Post('templates/support')
  @ApiBody({ schema: openApi(SupportTemplateBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(FormView) })
  createSupportForm(@CurrentViewer() viewer: Viewer, @Body() body: unknown) {
    return this.rpc.send('forms.createFromTemplate', {
      accountId: viewer.accountId,
      template: 'support',
      ...parseOrThrow(SupportTemplateBody, body ?? {}, 'form'),
    });
  }

  @Get(':id')
  @ApiOkResponse({ schema: openApi(FormView) })
  get(@CurrentViewer() viewer: Viewer, @Param('id') id: string) {
    return this.rpc.send('forms.get', { accountId: viewer.accountId, id: formId(id) });
  }

  @Patch(':id')
  @ApiBody({ schema: openApi(UpdateFormBody, 'input') })
  @ApiOkResponse({ schema: openApi(FormView) })
  update(@CurrentViewer() viewer: Viewer, @Param('id') id: string, @Body() body: unknown) {
    return this.rpc.send('forms.update', {
      accountId: viewer.accountId,
      id: formId(id),
      ...parseOrThrow(UpdateFormBody, body, 'form'),
    });
  }

  /** 409 FORM_IN_USE while the portal's support form is connected to it. */
  @Delete(':id')
  @ApiOkResponse({ schema: { type: 'object', properties: { deleted: { type: 'boolean' } } } })
  delete(@CurrentViewer() viewer: Viewer, @Param('id') id: string) {
    return this.rpc.send('forms.delete', { accountId: viewer.accountId, id: formId(id) });
  }

  @Get(':id/submissions')
  @ApiQuery({ name: 'after', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100 } })
  @ApiQuery({ name: 'status', required: false, enum: ['pending', 'retrying', 'delivered'] })
  @ApiOkResponse({ schema: openApi(PageOf(SubmissionView)) })
  submissions(@CurrentViewer() viewer: Viewer, @Param('id') id: string, @Query() query: unknown) {
    return this.rpc.send('forms.submissions.list', {
      accountId: viewer.accountId,
      formId: formId(id),
      ...parseOrThrow(SubmissionsQuery, query, 'query'),
    });
  }
}
