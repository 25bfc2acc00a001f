import { DEFAULT_THANK_YOU_MESSAGE, ErrorKinds, type ErrorBody } from '@helpdesk/contracts';
import { AppError, currentCorrelationId, LOGGER, RpcClient, type Logger } from '@helpdesk/kit';
import { Controller, HttpCode, Inject, Options, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { httpStatusOf, sendError } from '../http/error-response.js';
import { pathId } from '../http/path-id.js';
import {
  errorPage,
  hubspotErrorBody,
  hubspotInput,
  nativeInput,
  redirectTarget,
  thankYouPage,
  type SubmissionInput,
} from './submission-input.js';
import { SubmissionRateLimited, SubmissionRateLimiter } from './submission-rate-limiter.js';

const formIdOf = pathId('FORM_NOT_FOUND', 'Form');

const NATIVE = 'forms/v1/submit/:formId';
const HUBSPOT = 'submissions/v3/integration/submit/:portalId/:formId';

/** Any origin may post (embedded forms live on customers' sites); no cookies are involved. */
const allowAnyOrigin = (res: Response) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
  res.setHeader('Access-Control-Max-Age', '86400');
};

const header = (req: Request, name: string) => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Public form submissions from web sites (SPEC "Addresses"), no login: the native endpoint for JSON
 * and HTML form posts, and HubSpot's submission shape for existing embed code. Rate limited per
 * address and per form, size limited, with a honeypot. A 2xx answer means the submission is stored
 * together with its delivery (forms.submit returned): it becomes a ticket even if other services are
 * down right now.
 */
@ApiTags('forms')
@Controller()
export class FormsSubmitController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly limiter: SubmissionRateLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Options([NATIVE, HUBSPOT])
  @ApiExcludeEndpoint()
  @HttpCode(204)
  preflight(@Res({ passthrough: true }) res: Response) {
    allowAnyOrigin(res);
  }

  /**
   * JSON (`{ "<field name>": value, … }`) or an HTML form post (urlencoded). JSON is answered
   * `200 { submissionId, inlineMessage }` or `{ error: { code, message, fields } }`; a browser's form
   * post with a 303 back to its page (`redirectUrl` on the same site, else the Referer) with
   * `?submitted=1`, or a thank-you page, and errors as a small page.
   */
  @Post(NATIVE)
  async submit(@Param('formId') formId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    allowAnyOrigin(res);
    const formPost = Boolean(req.is('application/x-www-form-urlencoded'));
    const wantsPage = formPost && req.accepts(['json', 'html']) === 'html';
    const referer = header(req, 'referer');
    try {
      const input = await this.accept(formId, req, () => nativeInput(req.body, referer));
      const queryRedirect = typeof req.query.redirectUrl === 'string' ? req.query.redirectUrl : undefined;
      const result = await this.store(formId, input, formPost ? 'html' : 'json');
      if (!formPost) {
        res.status(200).json(result);
        return;
      }
      const target = redirectTarget(input.redirectUrl ?? queryRedirect, header(req, 'origin'), referer);
      if (target) res.redirect(303, target);
      else res.status(200).type('html').send(thankYouPage(result.inlineMessage, referer));
    } catch (error) {
      if (wantsPage) {
        const { status, body } = this.describe(error);
        this.retryAfter(res, error);
        res.status(status).type('html').send(errorPage(body, referer));
      } else if (error instanceof SubmissionRateLimited) {
        this.retryAfter(res, error);
        res.status(429).json({ error: { ...error.toBody(), correlationId: currentCorrelationId() } });
      } else sendError(error, res, this.logger);
    }
  }

  /**
   * HubSpot's forms submission API shape, so existing embed code can post here unchanged but for the
   * host. `portalId` (HubSpot's account number) is ignored: the form id names the account here.
   * Answers `200 { inlineMessage }`, errors in HubSpot's shape with ours beside it.
   */
  @Post(HUBSPOT)
  async hubspot(@Param('formId') formId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    allowAnyOrigin(res);
    try {
      const input = await this.accept(formId, req, () => hubspotInput(req.body));
      const { inlineMessage } = await this.store(formId, input, 'hubspot');
      res.status(200).json({ inlineMessage });
    } catch (error) {
      const { status, body } = this.describe(error);
      this.retryAfter(res, error);
      res.status(status).json(hubspotErrorBody(body, currentCorrelationId() ?? ''));
    }
  }

  /** Checks every limit before anything is parsed or stored. */
  private async accept(formId: string, req: Request, parse: () => SubmissionInput) {
    const length = Number(req.headers['content-length'] ?? NaN);
    const size = Number.isFinite(length) ? length : Buffer.byteLength(JSON.stringify(req.body ?? {}));
    if (size > this.config.FORMS_SUBMIT_BODY_LIMIT_BYTES)
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `A submission may be at most ${this.config.FORMS_SUBMIT_BODY_LIMIT_BYTES} bytes`,
      );
    if (req.is('multipart/form-data'))
      throw new AppError(
        'VALIDATION_FAILED',
        'File uploads are not accepted yet: post JSON or a URL-encoded form without files',
      );
    // A malformed id names no form: the same 404 as an unknown one, and nothing counted.
    await this.limiter.check(req.ip ?? req.socket.remoteAddress ?? 'unknown', formIdOf(formId));
    return parse();
  }

  private async store(
    formId: string,
    input: SubmissionInput,
    channel: 'json' | 'html' | 'hubspot',
  ): Promise<{ submissionId: string; inlineMessage: string }> {
    if (input.honeypot) {
      // Looks like a success to the bot; nothing is stored.
      this.logger.info({ formId, channel }, 'form submission dropped: honeypot filled');
      return { submissionId: randomUUID(), inlineMessage: DEFAULT_THANK_YOU_MESSAGE };
    }
    return this.rpc.send('forms.submit', { formId, values: input.values, channel, context: input.context });
  }

  private retryAfter(res: Response, error: unknown) {
    if (error instanceof SubmissionRateLimited) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    else if (error instanceof AppError && ErrorKinds[error.code] === 'unavailable')
      res.setHeader('Retry-After', '5');
  }

  /** Status and body of an error, as the API's error filter would answer it (logged the same way). */
  private describe(error: unknown): { status: number; body: ErrorBody } {
    if (error instanceof AppError) {
      const status = httpStatusOf(error.code);
      if (status === 503)
        this.logger.warn({ code: error.code, message: error.message }, 'dependency unavailable');
      else if (status >= 500) this.logger.error({ err: error }, 'request failed');
      return { status, body: error.toBody() };
    }
    this.logger.error({ err: error }, 'request failed');
    return { status: 500, body: { code: 'INTERNAL', message: 'Internal error' } };
  }
}
