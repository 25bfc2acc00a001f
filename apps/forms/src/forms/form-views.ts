import type { FormView } from '@helpdesk/contracts';
import { containsTicketProperties, usableAsSupportForm } from './form-rules.js';
import type { Form } from './form.entity.js';

export const toFormView = (form: Form): FormView => ({
  id: form.id,
  accountId: form.accountId,
  name: form.name,
  fields: form.fields,
  ticketCreation: form.ticketCreation,
  thankYouMessage: form.thankYouMessage,
  containsTicketProperties: containsTicketProperties(form.fields),
  usableAsSupportForm: usableAsSupportForm(form),
  createdAt: form.createdAt.toISOString(),
  updatedAt: form.updatedAt.toISOString(),
});
