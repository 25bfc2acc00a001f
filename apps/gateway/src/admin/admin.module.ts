import { Module } from '@nestjs/common';
import { AccessGroupsAdminController } from './access-groups-admin.controller.js';
import { AdminAuthController } from './admin-auth.controller.js';
import { AdminErrorFilter } from './admin-error.filter.js';
import { AdminPortalController } from './admin-portal.controller.js';
import { CompaniesAdminController } from './companies-admin.controller.js';
import { ContactsAdminController } from './contacts-admin.controller.js';
import { FormsAdminController } from './forms-admin.controller.js';
import { InboxAdminController } from './inbox-admin.controller.js';
import { PortalAuditController } from './portal-audit.controller.js';
import { SystemPagesAdminController } from './system-pages-admin.controller.js';
import { SystemPages } from '../portal/system-pages.js';
import { UploadsModule } from '../uploads/uploads.module.js';
import { ThemeLogoController } from './theme-logo.controller.js';
import { ThemeLogos } from './theme-logos.js';

/** The admin area's pages (`/admin/…`); config, views, limiter and RPC come from the global AppModule. */
@Module({
  // The file storage, for the portal's logo (theme section).
  imports: [UploadsModule],
  controllers: [
    AdminAuthController,
    AdminPortalController,
    FormsAdminController,
    PortalAuditController,
    SystemPagesAdminController,
    ContactsAdminController,
    CompaniesAdminController,
    AccessGroupsAdminController,
    ThemeLogoController,
    InboxAdminController,
  ],
  // SystemPages renders the system page editor's previews exactly as the portal renders the pages.
  providers: [AdminErrorFilter, SystemPages, ThemeLogos],
  // The queue dashboard answers its page's refusals with the admin area's error pages.
  exports: [AdminErrorFilter],
})
export class AdminModule {}
