import { AppError } from '@helpdesk/kit';
import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { RateLimiter } from '../http/rate-limiter.js';

/** Refusal of a submission over a rate limit, with when to try again. */
export class SubmissionRateLimited extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('TOO_MANY_SUBMISSIONS', `Too many submissions; try again in ${retryAfterSeconds} s`);
  }
}

/**
 * Rate limits of public form submissions: fixed windows (FORMS_SUBMIT_WINDOW_SECONDS) per client
 * address (FORMS_SUBMIT_LIMIT_PER_IP) and per form (FORMS_SUBMIT_LIMIT_PER_FORM), both counted in
 * one round trip by the shared RateLimiter.
 */
@Injectable()
export class SubmissionRateLimiter {
  constructor(
    private readonly limiter: RateLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Counts this submission; throws SubmissionRateLimited when it is over a limit. */
  async check(ip: string, formId: string): Promise<void> {
    const wait = await this.limiter.retryAfter(
      [
        { key: `rl:forms:ip:${ip}`, limit: this.config.FORMS_SUBMIT_LIMIT_PER_IP },
        { key: `rl:forms:form:${formId}`, limit: this.config.FORMS_SUBMIT_LIMIT_PER_FORM },
      ],
      this.config.FORMS_SUBMIT_WINDOW_SECONDS * 1_000,
    );
    if (wait !== null) throw new SubmissionRateLimited(wait);
  }
}
