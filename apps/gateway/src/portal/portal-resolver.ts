import type { ResolvedPortal } from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { Injectable } from '@nestjs/common';
import { ExpiringCache } from './expiring-cache.js';
import { PortalEvents } from './portal-events.js';

/** How long a resolved portal (or a miss) is reused when no `portal.updated` event says otherwise. */
export const PORTAL_CACHE_TTL_MS = 15_000;
/**
 * Finds the portal a request is for from its Host and first path segment (`identity.portal.resolve`),
 * reusing the answer briefly: every portal page needs it, and it changes only when an admin saves
 * settings, which emits `portal.updated` (dropping the cache at once on every gateway replica).
 * A portal that is switched off is as absent as an unknown one.
 */
@Injectable()
export class PortalResolver {
  private readonly cache = new ExpiringCache<ResolvedPortal | null>(PORTAL_CACHE_TTL_MS);

  constructor(
    private readonly rpc: RpcClient,
    events: PortalEvents,
  ) {
    events.on('portal.updated', () => this.cache.clear());
  }

  async resolve(host: string, slug: string, now = Date.now()): Promise<ResolvedPortal> {
    const key = `${host.toLowerCase()} ${slug.toLowerCase()}`;
    // A failure (identity down) is not remembered: the next request asks again.
    const portal = await this.cache.get(key, () => this.lookup(host, slug), now);
    if (!portal || !portal.general.enabled)
      throw new AppError('PORTAL_NOT_FOUND', `No portal at ${host}/${slug}`);
    return portal;
  }

  private async lookup(host: string, slug: string): Promise<ResolvedPortal | null> {
    if (!/^[a-z0-9-]{1,60}$/i.test(slug) || host.length > 253) return null;
    try {
      return await this.rpc.send('identity.portal.resolve', { host, slug });
    } catch (error) {
      if (
        error instanceof AppError &&
        ['PORTAL_NOT_FOUND', 'DOMAIN_NOT_FOUND', 'ACCOUNT_NOT_FOUND', 'VALIDATION_FAILED'].includes(
          error.code,
        )
      )
        return null;
      throw error;
    }
  }
}
