import { Module } from '@nestjs/common';
import { PortalSettingsApiController } from './portal-settings-api.controller.js';

/** The admin JSON API of the customer portal's settings, audit log and domains. */
@Module({ controllers: [PortalSettingsApiController] })
export class PortalSettingsApiModule {}
