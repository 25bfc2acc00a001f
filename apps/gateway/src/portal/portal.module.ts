import { Module } from '@nestjs/common';
import { UploadsModule } from '../uploads/uploads.module.js';
import { ContactSessions } from './contact-sessions.js';
import { PortalErrorFilter } from './portal-error.filter.js';
import { PortalEvents } from './portal-events.js';
import { PortalResolver } from './portal-resolver.js';
import { PortalViews } from './portal-views.js';
import { PortalController } from './portal.controller.js';

/** The customer portal's pages; config, logger, Redis and the RPC client come from the global AppModule. */
@Module({
  // Reply attachments are streamed into the shared storage, and downloads served, by the uploads module.
  imports: [UploadsModule],
  controllers: [PortalController],
  providers: [PortalEvents, PortalResolver, ContactSessions, PortalViews, PortalErrorFilter],
})
export class PortalModule {}
