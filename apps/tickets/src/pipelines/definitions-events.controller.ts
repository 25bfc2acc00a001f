import { Events } from '@helpdesk/contracts';
import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DefinitionsCache, type DefinitionsChange } from './definitions-cache.js';

/**
 * The service's requests are shared out in its queue group; these events must reach every replica.
 * An empty queue name overrides the group: the subscription is then a plain one (nats.js sends a
 * queue only when it has a name), so each replica hears each change.
 */
const EVERY_REPLICA = { queue: '' };

/** Keeps every replica's `DefinitionsCache` current: a change to an account's definitions drops its entry. */
@Controller()
export class DefinitionsEventsController {
  constructor(private readonly cache: DefinitionsCache) {}

  @EventPattern('pipeline.changed', EVERY_REPLICA)
  pipelineChanged(@Payload() payload: unknown) {
    this.forget('pipeline.changed', payload);
  }

  @EventPattern('ticket.property.changed', EVERY_REPLICA)
  propertyChanged(@Payload() payload: unknown) {
    this.forget('ticket.property.changed', payload);
  }

  /** An event whose account cannot be read drops every account: stale definitions are the worse outcome. */
  private forget(event: DefinitionsChange, payload: unknown) {
    const parsed = Events[event].safeParse(payload);
    if (parsed.success) this.cache.drop(parsed.data.accountId);
    else this.cache.clear();
  }
}
