import { Module } from '@nestjs/common';
import { AccessGroupsApiController } from './access-groups-api.controller.js';
import { CompaniesApiController } from './companies-api.controller.js';
import { ContactPropertiesApiController } from './contact-properties-api.controller.js';
import { ContactsApiController } from './contacts-api.controller.js';

/** The admin JSON API over identity's contacts, companies, contact properties and access groups. */
@Module({
  controllers: [
    ContactsApiController,
    CompaniesApiController,
    ContactPropertiesApiController,
    AccessGroupsApiController,
  ],
})
export class DirectoryModule {}
