import type { FormView, ResolvedPortal } from '@helpdesk/contracts';
import { AppError, RpcClient } from '@helpdesk/kit';
import { Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { assertCsrf } from '../auth/csrf.js';
import type { ContactViewer } from '../auth/viewer.js';
import { SubmissionRateLimited, SubmissionRateLimiter } from '../forms/submission-rate-limiter.js';
import { translatorFor } from './i18n.js';
import { PortalContext } from './portal-context.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { layoutData, menuTextOf, requireContact, ticketLabelOf } from './portal-page.js';
import { PageViews } from '../http/page-views.js';
import {
  askedFields,
  fieldErrors,
  fieldModels,
  headerTextOf,
  knownValues,
  postedAnswers,
  type Answers,
  type FieldErrorItem,
} from './support-form.js';
import { errorCode } from '../http/form-fields.js';
import { pathId } from '../http/path-id.js';

/**
 * How often the "request received" page reloads itself without script (every 2 s) before it says
 * the ticket will show up in the list: the relay normally delivers within a second, and a
 * submission that takes longer is stored and safe, only late (forms retries it).
 */
const MAX_CHECKS = 10;

const submissionId = pathId('SUBMISSION_NOT_FOUND', 'Submission');

/**
 * Submit a ticket (SPEC P5, S5): the portal's connected support form, sent through forms with the
 * logged-in contact as the requester. Forms stores the submission and delivers it (contact, ticket,
 * thread) a moment later, so the post leads to a "request received" page that forwards the customer
 * to the new ticket once it exists.
 */
@ApiExcludeController()
@UseFilters(PortalErrorFilter)
@Controller(':slug/submit')
export class PortalSubmitController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly context: PortalContext,
    private readonly views: PageViews,
    private readonly limiter: SubmissionRateLimiter,
  ) {}

  @Get()
  async form(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    const form = await this.supportFormOf(portal);
    this.renderForm(req, res, { portal, contact, form });
  }

  @Post()
  async submit(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response) {
    const portal = await this.context.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    assertCsrf(req);
    const formId = this.formIdOf(portal);
    let limited: SubmissionRateLimited | undefined;
    try {
      // The same limits as the public endpoint's, counted in the same windows.
      await this.limiter.check(req.ip ?? req.socket.remoteAddress ?? 'unknown', formId);
    } catch (error) {
      if (!(error instanceof SubmissionRateLimited)) throw error;
      limited = error;
    }
    const form = await this.supportFormOf(portal);
    const known = knownValues(form, contact);
    const answers = postedAnswers(askedFields(form, known), req.body);
    const page = { portal, contact, form, answers };
    if (limited) {
      res.setHeader('Retry-After', String(limited.retryAfterSeconds));
      return this.renderForm(req, res, { ...page, tooManyFor: limited.retryAfterSeconds }, 429);
    }
    try {
      const { submissionId } = await this.rpc.send('forms.submit', {
        formId,
        accountId: portal.accountId,
        contactId: contact.contactId,
        channel: 'portal',
        values: { ...answers, ...known },
        context: {
          pageUri: `${req.protocol}://${req.get('host') ?? req.hostname}/${portal.general.slug}/submit`,
          pageName: portal.general.name,
        },
      });
      res.redirect(303, `/${portal.general.slug}/submit/${submissionId}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED' || !error.fields) throw error;
      const t = translatorFor(portal.domain.language);
      return this.renderForm(req, res, { ...page, errors: fieldErrors(error.fields, form, t) }, 400);
    }
  }

  /**
   * The "request received" page: straight on to the ticket once the submission has one the contact
   * can see; until then it says the request is safe and checks again (script, else a reload).
   */
  @Get(':id')
  async received(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.context.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    const state = await this.stateOf(portal, contact, id);
    if (state.ticketHref) return res.redirect(303, state.ticketHref);
    const t = translatorFor(portal.domain.language);
    const base = `/${portal.general.slug}`;
    const check = typeof req.query.check === 'string' ? Number.parseInt(req.query.check, 10) : 0;
    const checks = Math.max(0, Math.min(MAX_CHECKS, check || 0));
    this.views.render(res, 'portal/submit-received.liquid', {
      ...layoutData(req, portal, { contact, section: 'submit', title: t.t('submitReceivedTitle') }),
      pending: state.pending,
      // Without script the page reloads itself a few times, then says the ticket comes shortly.
      reloadHref: state.pending && checks < MAX_CHECKS ? `${base}/submit/${id}?check=${checks + 1}` : null,
      message: t.t(
        state.pending ? (checks < MAX_CHECKS ? 'submitCreating' : 'submitShortly') : 'submitThanks',
      ),
      statusUrl: `${base}/submit/${id}/status`,
      listHref: `${base}/tickets`,
    });
  }

  /** Where the submission stands, as JSON, for the received page's script. */
  @Get(':id/status')
  async status(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    const portal = await this.context.portalOf(slug, req, res);
    const contact = requireContact(req, portal);
    res.setHeader('Cache-Control', 'no-store');
    res.json(await this.stateOf(portal, contact, id));
  }

  /** The connected support form's id; a portal without one has no such page (404). */
  private formIdOf(portal: ResolvedPortal): string {
    const { connected, formId } = portal.supportForm;
    if (!connected || !formId) throw new AppError('FORM_NOT_FOUND', 'This portal has no support form');
    return formId;
  }

  private supportFormOf(portal: ResolvedPortal): Promise<FormView> {
    return this.rpc.send('forms.get', { accountId: portal.accountId, id: this.formIdOf(portal) });
  }

  /**
   * The contact's own submission (forms finds no one else's) and its ticket, if the contact may see
   * it here: a ticket outside the portal's visibility filter leads nowhere, so the page only thanks.
   */
  private async stateOf(
    portal: ResolvedPortal,
    contact: ContactViewer,
    id: string,
  ): Promise<{ pending: boolean; ticketHref: string | null }> {
    const submission = await this.rpc.send('forms.submissions.get', {
      accountId: portal.accountId,
      id: submissionId(id),
      contactId: contact.contactId,
    });
    if (!submission.ticketId) return { pending: submission.status !== 'delivered', ticketHref: null };
    try {
      await this.rpc.send('tickets.portal.get', {
        accountId: portal.accountId,
        id: submission.ticketId,
        viewer: await this.context.scopeOf(portal, contact),
        visibility: portal.ticketDisplay.visibility,
        ownerDisplay: { mode: portal.ticketDisplay.ownerDisplay, alias: portal.ticketDisplay.ownerAlias },
      });
    } catch (error) {
      if (errorCode(error) !== 'TICKET_NOT_FOUND') throw error;
      return { pending: false, ticketHref: null };
    }
    return {
      pending: false,
      ticketHref: `/${portal.general.slug}/tickets/${submission.ticketId}?notice=ticketSubmitted`,
    };
  }

  private renderForm(
    req: Request,
    res: Response,
    page: {
      portal: ResolvedPortal;
      contact: ContactViewer;
      form: FormView;
      answers?: Answers;
      errors?: FieldErrorItem[];
      tooManyFor?: number;
    },
    status = 200,
  ): void {
    const { portal, contact, form, errors = [] } = page;
    const t = translatorFor(portal.domain.language);
    // The header text falls back to the menu text, in the words the navigation shows.
    const heading = headerTextOf(portal, menuTextOf(portal, t), t);
    const fields = askedFields(form, knownValues(form, contact));
    const asked = new Set(fields.map((field) => field.name));
    const refused = errors.length > 0 || page.tooManyFor !== undefined;
    this.views.render(
      res,
      'portal/submit.liquid',
      {
        ...layoutData(req, portal, { contact, section: 'submit' }),
        // The tab names the page by its heading; after a refused post it says so first, so a screen
        // reader hears it before anything else.
        title: `${refused ? `${t.t('submitErrorPrefix')}: ` : ''}${heading} · ${portal.general.name}`,
        heading,
        intro: t.t('submitIntro', { tickets: ticketLabelOf(portal, t) }),
        fields: fieldModels(fields, page.answers ?? {}, errors),
        anyRequired: fields.some((field) => field.required),
        errorSummary: errors.map((error) => ({
          text: error.name ? `${error.label}: ${error.message}` : error.message,
          href: error.name && asked.has(error.name) ? `#field-${error.name}` : null,
        })),
        tooMany: page.tooManyFor ? t.t('submitTooMany', { seconds: page.tooManyFor }) : null,
        action: `/${portal.general.slug}/submit`,
        cancelHref: `/${portal.general.slug}/tickets`,
      },
      status,
    );
  }
}
