import { Module } from '@nestjs/common';
import { SubmissionRateLimiter } from '../forms/submission-rate-limiter.js';
import { RateLimiter } from '../http/rate-limiter.js';
import { UploadsModule } from '../uploads/uploads.module.js';
import { ContactSessions } from './contact-sessions.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalEvents } from './portal-events.js';
import { PortalResolver } from './portal-resolver.js';
import { TicketPropertiesCache } from './ticket-properties-cache.js';
import { PortalAccountController } from './portal-account.controller.js';
import { PortalAuthController } from './portal-auth.controller.js';
import { PortalContext } from './portal-context.js';
import { PortalExportsController } from './portal-exports.controller.js';
import { PortalPreviewApiController, PortalPreviewController, PortalPreviews } from './portal-preview.js';
import { PortalSubmitController } from './portal-submit.controller.js';
import { PortalTicketsController } from './portal-tickets.controller.js';
import { SystemPages } from './system-pages.js';

/** The customer portal's pages; config, logger, Redis and the RPC client come from the global AppModule. */
@Module({
  // Reply attachments are streamed into the shared storage, and downloads served, by the uploads module.
  imports: [UploadsModule],
  controllers: [
    PortalPreviewApiController,
    PortalPreviewController,
    PortalAuthController,
    PortalAccountController,
    PortalTicketsController,
    PortalExportsController,
    PortalSubmitController,
  ],
  providers: [
    PortalContext,
    PortalPreviews,
    PortalEvents,
    PortalResolver,
    TicketPropertiesCache,
    ContactSessions,
    SystemPages,
    PortalErrorFilter,
    RateLimiter,
    // The public form endpoint's limits, shared (in Redis) with the portal's support form.
    SubmissionRateLimiter,
  ],
})
export class PortalModule {}
