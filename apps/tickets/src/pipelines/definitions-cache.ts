import type { EventPayload } from '@helpdesk/contracts';
import { RpcClient } from '@helpdesk/kit';
import { Injectable } from '@nestjs/common';
import type { TicketProperty } from '../tickets/ticket-properties.js';

/** An account's ticket properties (built-ins with its pipelines and stages as options, then its own). */
export interface AccountDefinitions {
  definitions: TicketProperty[];
  /** The account's stages' labels by id, for display. */
  stageLabels: Map<string, string>;
}

/** The events that change an account's definitions. */
export type DefinitionsChange = 'pipeline.changed' | 'ticket.property.changed';

/**
 * How long an account's definitions are reused when no change event says otherwise: the bound on
 * staleness should an event be lost (core NATS is at most once).
 */
export const DEFINITIONS_TTL_MS = 15_000;
/** Bounds memory with many accounts; past it the cache starts over. */
const MAX_ACCOUNTS = 10_000;

interface Entry {
  expires: number;
  definitions: Promise<AccountDefinitions>;
}

/**
 * The accounts' definitions, reused between requests: every list, search and export needs them, and
 * they change only when an admin edits pipelines, stages or properties. Each such change, once
 * committed, drops the account's entry on the replica that made it at once and announces itself,
 * on which every other replica drops its entry too (`DefinitionsEventsController`). What is handed
 * out is shared between requests: read only.
 */
@Injectable()
export class DefinitionsCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly rpc: RpcClient) {}

  /** The account's definitions, loaded with `load` when not known or too old. */
  get(accountId: string, load: () => Promise<AccountDefinitions>, now = Date.now()) {
    let entry = this.entries.get(accountId);
    if (!entry || entry.expires <= now) {
      if (this.entries.size >= MAX_ACCOUNTS) this.entries.clear();
      entry = { expires: now + DEFINITIONS_TTL_MS, definitions: load() };
      this.entries.set(accountId, entry);
      // A failed read (database away) is not remembered: the next request reads again.
      const failed = entry;
      failed.definitions.catch(
        () => this.entries.get(accountId) === failed && this.entries.delete(accountId),
      );
    }
    return entry.definitions;
  }

  /** Forgets the account's entry; a read in flight is not kept either, the next request reads again. */
  drop(accountId: string): void {
    this.entries.delete(accountId);
  }

  clear(): void {
    this.entries.clear();
  }

  /** After a committed change: forgets the account here at once, then tells every replica. */
  async announce<E extends DefinitionsChange>(event: E, payload: EventPayload<E>): Promise<void> {
    this.drop(payload.accountId);
    await this.rpc.emit(event, payload);
  }
}
