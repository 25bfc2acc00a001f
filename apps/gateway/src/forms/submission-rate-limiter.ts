import { AppError, LOGGER, type Logger } from '@helpdesk/kit';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { REDIS } from '../redis.js';

/** Refusal of a submission over a rate limit, with when to try again. */
export class SubmissionRateLimited extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('TOO_MANY_SUBMISSIONS', `Too many submissions; try again in ${retryAfterSeconds} s`);
  }
}

/**
 * Counts one submission in both windows and answers each count with its window's remaining time:
 * one round trip (EVALSHA), a fraction of what a MULTI of six commands costs the gateway.
 */
const COUNT_SCRIPT = `
local result = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, ARGV[1]); ttl = tonumber(ARGV[1]) end
  result[#result + 1] = count
  result[#result + 1] = ttl
end
return result`;

type CountingRedis = Redis & {
  hdCountSubmission(ipKey: string, formKey: string, windowMs: number): Promise<number[]>;
};

/**
 * Rate limits of public form submissions in Redis, shared by every gateway replica: fixed windows
 * (FORMS_SUBMIT_WINDOW_SECONDS, starting at a window's first submission) per client address
 * (FORMS_SUBMIT_LIMIT_PER_IP) and per form (FORMS_SUBMIT_LIMIT_PER_FORM), both counted in one round
 * trip. Every attempt counts, refused ones too. When Redis does not answer, submissions are let
 * through (and a warning logged): losing a customer's request is worse than a burst of spam.
 */
@Injectable()
export class SubmissionRateLimiter {
  private readonly windowMs: number;
  private readonly redis: CountingRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.windowMs = config.FORMS_SUBMIT_WINDOW_SECONDS * 1_000;
    if (!('hdCountSubmission' in redis))
      redis.defineCommand('hdCountSubmission', { numberOfKeys: 2, lua: COUNT_SCRIPT });
    this.redis = redis as CountingRedis;
  }

  /** Counts this submission; throws SubmissionRateLimited when it is over a limit. */
  async check(ip: string, formId: string): Promise<void> {
    let counts: number[];
    try {
      counts = await this.redis.hdCountSubmission(
        `hd:rl:forms:ip:${ip}`,
        `hd:rl:forms:form:${formId}`,
        this.windowMs,
      );
    } catch (err) {
      this.logger.warn({ err }, 'form submission rate limit unavailable; letting the submission through');
      return;
    }
    const [ipCount, ipTtl, formCount, formTtl] = counts.map(Number);
    const waits: number[] = [];
    if (ipCount > this.config.FORMS_SUBMIT_LIMIT_PER_IP) waits.push(ipTtl);
    if (formCount > this.config.FORMS_SUBMIT_LIMIT_PER_FORM) waits.push(formTtl);
    if (waits.length) throw new SubmissionRateLimited(Math.max(1, Math.ceil(Math.max(...waits) / 1_000)));
  }
}
