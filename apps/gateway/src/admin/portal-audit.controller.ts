import type { InternalUserView } from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PageViews } from '../http/page-views.js';
import { AdminErrorFilter } from './admin-error.filter.js';
import { adminLayoutData, requireAdmin } from './admin-page.js';
import { changesBetween } from './portal-changes.js';
import { SECTION_TITLES } from './portal-sections.js';

const PAGE_SIZE = 25;
/**
 * Keyset cursors only lead to older entries, so the URL carries the cursors of the pages before this
 * one (`trail`) for "Newer". Past this many pages the oldest are dropped, keeping the URL short;
 * "Newest" still leads back to the start.
 */
const MAX_TRAIL = 60;
const MAX_CURSOR_LENGTH = 512;

/** Date and time to the second, in UTC, said so: the admins of one account may sit in several zones. */
const when = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'UTC',
});

function trailOf(query: unknown): string[] {
  if (query === undefined || query === '') return [];
  const cursors = typeof query === 'string' ? query.split('.') : [];
  if (
    cursors.length === 0 ||
    cursors.length > MAX_TRAIL ||
    cursors.some((cursor) => cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH)
  )
    throw new AppError('INVALID_CURSOR', 'The page of the audit log asked for is not one this page links to');
  return cursors;
}

const pageHref = (trail: string[]) =>
  trail.length ? `/admin/portal/audit?trail=${trail.join('.')}` : '/admin/portal/audit';

/**
 * The customer portal's audit log ("every save is audited"): who saved which settings section when,
 * and what changed, newest first.
 */
@ApiExcludeController()
@UseFilters(AdminErrorFilter)
@Controller('admin/portal/audit')
export class PortalAuditController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly views: PageViews,
  ) {}

  @Get()
  async page(@Req() req: Request, @Res() res: Response) {
    const user = requireAdmin(req, 'portal.settings');
    const trail = trailOf(req.query.trail);
    const page = await this.rpc.send('identity.portal.audit', {
      accountId: user.accountId,
      after: trail.at(-1),
      limit: PAGE_SIZE,
    });
    const actorIds = [...new Set(page.items.flatMap((entry) => entry.actorUserId ?? []))];
    const actors = new Map(
      await Promise.all(actorIds.map(async (id) => [id, await this.userOrNull(user.accountId, id)] as const)),
    );
    this.views.render(res, 'admin/portal-audit.liquid', {
      ...adminLayoutData(req, user, { title: 'Customer portal audit log', section: 'portal' }),
      entries: page.items.map((entry) => {
        const actor = entry.actorUserId ? actors.get(entry.actorUserId) : null;
        return {
          at: { text: `${when.format(new Date(entry.at))} UTC`, datetime: entry.at },
          actor: actor ? { name: actor.name, email: actor.email } : null,
          section: SECTION_TITLES[entry.section],
          changes: changesBetween(entry.before, entry.after),
        };
      }),
      newestHref: trail.length > 1 ? pageHref([]) : null,
      newerHref: trail.length ? pageHref(trail.slice(0, -1)) : null,
      olderHref: page.nextCursor ? pageHref([...trail, page.nextCursor].slice(-MAX_TRAIL)) : null,
    });
  }

  /** The user who saved, or null for one who was deleted since. */
  private async userOrNull(accountId: string, id: string): Promise<InternalUserView | null> {
    try {
      return await this.rpc.send('identity.users.get', { accountId, id });
    } catch (error) {
      if (error instanceof AppError && error.code === 'USER_NOT_FOUND') return null;
      throw error;
    }
  }
}
