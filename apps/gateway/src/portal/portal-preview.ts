import { Id } from '@helpdesk/contracts';
import { AppError, LOGGER, parseOrThrow, RpcClient, type Logger } from '@helpdesk/kit';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Param,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiExcludeController, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { assertCsrf, csrfToken } from '../auth/csrf.js';
import { InternalUserGuard } from '../auth/internal-user.guard.js';
import { renewSession, startSessionClock } from '../auth/sessions.js';
import { CurrentViewer, RequirePermission, viewerOf, type InternalViewer } from '../auth/viewer.js';
import { openApi } from '../http/openapi.js';
import { REDIS } from '../redis.js';
import { contactViewerOf } from './contact-login.js';
import { translatorFor } from './i18n.js';
import { PortalContext } from './portal-context.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { layoutData, type PreviewViewer } from './portal-page.js';
import { PageViews } from '../http/page-views.js';

/** A preview link works once, within this time: long enough to open, too short to pass around. */
const PREVIEW_LINK_TTL_SECONDS = 60;
/** How long a preview lasts without a request, like an admin session would. */
const PREVIEW_IDLE_MINUTES = 30;
const tokenKey = (token: string) => `portal-preview:${createHash('sha256').update(token).digest('hex')}`;

const StartPreviewBody = z.object({ contactId: Id }).strict();
const PreviewLink = z.object({ url: z.string(), expiresAt: z.string() });

/**
 * One-time links that open the portal as a chosen contact (SPEC P7). The admin area and the portal
 * usually live on different hosts, so the admin's session cannot simply carry over: the link's token
 * is kept in Redis for a minute, and redeeming it puts the preview into the session of the portal's
 * host, beside (never instead of) whatever login that session has.
 */
@Injectable()
export class PortalPreviews {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async issue(viewer: PreviewViewer): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(tokenKey(token), JSON.stringify(viewer), 'EX', PREVIEW_LINK_TTL_SECONDS);
    return { token, expiresAt: new Date(Date.now() + PREVIEW_LINK_TTL_SECONDS * 1_000) };
  }

  async redeem(token: string): Promise<PreviewViewer | null> {
    if (!/^[\w-]{43}$/.test(token)) return null;
    const stored = await this.redis.getdel(tokenKey(token));
    return stored ? (JSON.parse(stored) as PreviewViewer) : null;
  }
}

/** Internal users with `portal.settings` ask for a preview link of their account's portal. */
@ApiTags('portal')
@Controller('api/v1/portal/previews')
@UseGuards(InternalUserGuard)
@RequirePermission('portal.settings')
export class PortalPreviewApiController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly previews: PortalPreviews,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** A link that opens the portal, on its primary domain, as the contact; valid once for a minute. */
  @Post()
  @HttpCode(201)
  @ApiBody({ schema: openApi(StartPreviewBody, 'input') })
  @ApiCreatedResponse({ schema: openApi(PreviewLink) })
  async start(@Body() body: unknown, @CurrentViewer() user: InternalViewer, @Req() req: Request) {
    const { contactId } = parseOrThrow(StartPreviewBody, body, 'preview');
    const [portal, contact] = await Promise.all([
      this.rpc.send('identity.portal.get', { accountId: user.accountId }),
      this.rpc.send('identity.contacts.get', { accountId: user.accountId, id: contactId }),
    ]);
    const domain = portal.domains.find((candidate) => candidate.primary) ?? portal.domains[0];
    if (!domain) throw new AppError('VALIDATION_FAILED', 'The portal has no domain to preview it on');
    const userName = user.name || user.email;
    const { token, expiresAt } = await this.previews.issue({
      ...contactViewerOf(portal, contact),
      preview: { userId: user.id, userName },
    });
    // Who looked at whose tickets is worth keeping: the log is the audit trail of previews.
    this.logger.info(
      { userId: user.id, contactId: contact.id, portalId: portal.id },
      'portal preview issued',
    );
    // The same scheme and port the admin reached the gateway on; the portal's own hostname.
    const port = /:(\d+)$/.exec(req.get('host') ?? '')?.[1];
    const origin = `${req.protocol}://${domain.hostname}${port ? `:${port}` : ''}`;
    const url = `${origin}/${encodeURIComponent(portal.general.slug)}/preview?token=${token}`;
    return { url, expiresAt: expiresAt.toISOString() };
  }
}

/** The portal side of a preview: redeeming the link, and ending the preview. */
@ApiExcludeController()
@UseFilters(PortalErrorFilter)
@Controller(':slug')
export class PortalPreviewController {
  constructor(
    private readonly context: PortalContext,
    private readonly previews: PortalPreviews,
    private readonly views: PageViews,
  ) {}

  @Get('preview')
  async open(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    const preview = await this.previews.redeem(typeof req.query.token === 'string' ? req.query.token : '');
    if (!preview || preview.portalId !== portal.id || preview.accountId !== portal.accountId)
      throw new AppError('TOKEN_INVALID', 'This preview link is not valid (any more)');
    // Unless an internal user is logged in on this host (their session was renewed at login), the
    // preview gets a new session: a customer's login here ends, and an id planted before is useless.
    if (viewerOf(req)?.kind !== 'internal') await renewSession(req);
    req.session.portalPreview = preview;
    if (req.session.startedAt === undefined) startSessionClock(req, PREVIEW_IDLE_MINUTES);
    csrfToken(req.session);
    res.redirect(303, `/${portal.general.slug}/tickets`);
  }

  @Post('preview/end')
  async end(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res, { allowInPreview: true });
    assertCsrf(req);
    delete req.session.portalPreview;
    const t = translatorFor(portal.domain.language);
    this.views.render(res, 'portal/preview-ended.liquid', {
      ...layoutData(req, portal, { title: t.t('previewEndedTitle') }),
    });
  }
}
