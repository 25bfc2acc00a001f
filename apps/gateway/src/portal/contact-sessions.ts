import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { SESSION_KEY_PREFIX } from '../auth/sessions.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { REDIS } from '../redis.js';
import { PortalEvents } from './portal-events.js';

const indexKey = (accountId: string, contactId: string) => `contact-sessions:${accountId}:${contactId}`;

/**
 * Which sessions each contact has, so that `contact.sessions.revoked` (password reset, removal from
 * the portal's access groups) can end all of them on the server. The index is a Redis set per
 * contact that lives as long as the longest session can.
 */
@Injectable()
export class ContactSessions {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    events: PortalEvents,
  ) {
    events.on('contact.sessions.revoked', ({ accountId, contactId }) => this.revoke(accountId, contactId));
  }

  async remember(accountId: string, contactId: string, sessionId: string): Promise<void> {
    const key = indexKey(accountId, contactId);
    await this.redis
      .multi()
      .sadd(key, sessionId)
      .expire(key, this.config.SESSION_ABSOLUTE_HOURS * 3_600)
      .exec();
  }

  async forget(accountId: string, contactId: string, sessionId: string): Promise<void> {
    await this.redis.srem(indexKey(accountId, contactId), sessionId);
  }

  /** Deletes every session of the contact from the store: their next request is anonymous. */
  async revoke(accountId: string, contactId: string): Promise<void> {
    const key = indexKey(accountId, contactId);
    const sessionIds = await this.redis.smembers(key);
    await this.redis.del(key, ...sessionIds.map((id) => `${SESSION_KEY_PREFIX}${id}`));
  }
}
