import { Module } from '@nestjs/common';
import { UploadsModule } from '../uploads/uploads.module.js';
import { ContactSessions } from './contact-sessions.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalEvents } from './portal-events.js';
import { PortalResolver } from './portal-resolver.js';
import { PortalViews } from './portal-views.js';
import { PortalAuthController } from './portal-auth.controller.js';
import { PortalContext } from './portal-context.js';
import { PortalExportsController } from './portal-exports.controller.js';
import { PortalTicketsController } from './portal-tickets.controller.js';

/** The customer portal's pages; config, logger, Redis and the RPC client come from the global AppModule. */
@Module({
  // Reply attachments are streamed into the shared storage, and downloads served, by the uploads module.
  imports: [UploadsModule],
  controllers: [PortalAuthController, PortalTicketsController, PortalExportsController],
  providers: [PortalContext, PortalEvents, PortalResolver, ContactSessions, PortalViews, PortalErrorFilter],
})
export class PortalModule {}
