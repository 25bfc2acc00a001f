import type { RpcPayload } from '@helpdesk/contracts';
import { Serves } from '@helpdesk/kit';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ContactsService } from './contacts.service.js';

@Controller()
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Serves('identity.contacts.create')
  create(@Payload() request: RpcPayload<'identity.contacts.create'>) {
    return this.contacts.create(request);
  }

  @Serves('identity.contacts.get')
  get(@Payload() request: RpcPayload<'identity.contacts.get'>) {
    return this.contacts.get(request);
  }

  @Serves('identity.contacts.update')
  update(@Payload() request: RpcPayload<'identity.contacts.update'>) {
    return this.contacts.update(request);
  }

  @Serves('identity.contacts.list')
  list(@Payload() request: RpcPayload<'identity.contacts.list'>) {
    return this.contacts.list(request);
  }

  @Serves('identity.contacts.findOrCreate')
  findOrCreate(@Payload() request: RpcPayload<'identity.contacts.findOrCreate'>) {
    return this.contacts.findOrCreate(request);
  }

  @Serves('identity.companies.create')
  createCompany(@Payload() request: RpcPayload<'identity.companies.create'>) {
    return this.contacts.createCompany(request);
  }

  @Serves('identity.companies.get')
  getCompany(@Payload() request: RpcPayload<'identity.companies.get'>) {
    return this.contacts.getCompany(request);
  }

  @Serves('identity.companies.update')
  updateCompany(@Payload() request: RpcPayload<'identity.companies.update'>) {
    return this.contacts.updateCompany(request);
  }

  @Serves('identity.companies.list')
  listCompanies(@Payload() request: RpcPayload<'identity.companies.list'>) {
    return this.contacts.listCompanies(request);
  }

  @Serves('identity.contactProperties.list')
  listProperties(@Payload() request: RpcPayload<'identity.contactProperties.list'>) {
    return this.contacts.listProperties(request);
  }

  @Serves('identity.contactProperties.create')
  createProperty(@Payload() request: RpcPayload<'identity.contactProperties.create'>) {
    return this.contacts.createProperty(request);
  }
}
