import { SERVICE_CONFIG } from '@helpdesk/kit';
import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FormsConfig } from '../config.js';

const SLOTS = 10;
const SLOT_MS = 100;

/**
 * How many submissions this replica accepted in the last second, so that deliveries can yield to
 * them: a stored submission is safe, its ticket can come a little later, and on a small machine the
 * deliveries (identity, tickets, inbox, PostgreSQL) take the CPU that accepting needs. Above
 * OUTBOX_YIELD_ABOVE_PER_SECOND a delivery waits until the rate drops, at most OUTBOX_YIELD_MAX_MS,
 * so deliveries go on (slowly) under any load and at full speed once a burst is over.
 */
@Injectable()
export class SubmissionPace {
  private readonly counts = new Array<number>(SLOTS).fill(0);
  private slot = 0;
  private slotStartedAt = 0;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: FormsConfig) {}

  /** Notes one accepted submission. */
  accepted(now = Date.now()): void {
    this.advance(now);
    this.counts[this.slot]++;
  }

  /** Submissions accepted over the last second. */
  perSecond(now = Date.now()): number {
    this.advance(now);
    return this.counts.reduce((sum, count) => sum + count, 0);
  }

  /** Resolves once accepting is calm (or after the longest wait): call before each delivery. */
  async yieldToSubmissions(): Promise<void> {
    const limit = this.config.OUTBOX_YIELD_ABOVE_PER_SECOND;
    if (limit === 0) return;
    const until = Date.now() + this.config.OUTBOX_YIELD_MAX_MS;
    while (this.perSecond() > limit && Date.now() < until) await sleep(SLOT_MS);
  }

  private advance(now: number) {
    const elapsed = Math.floor((now - this.slotStartedAt) / SLOT_MS);
    if (elapsed <= 0) return;
    for (let i = 1; i <= Math.min(elapsed, SLOTS); i++) this.counts[(this.slot + i) % SLOTS] = 0;
    this.slot = (this.slot + elapsed) % SLOTS;
    this.slotStartedAt += elapsed * SLOT_MS;
  }
}
