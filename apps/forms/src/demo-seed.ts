import { FormField, DEFAULT_THANK_YOU_MESSAGE } from '@helpdesk/contracts';
import type { MikroORM } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Form } from './forms/form.entity.js';
import { supportFormFields } from './forms/support-template.js';

export const DEMO_SUPPORT_FORM = 'Support form';

export interface FormsDemoInput {
  accountId: string;
  /** The demo's "Support inbox" (inbox's seed), where the form's tickets go. */
  supportInboxId: string;
}

export interface FormsDemoResult {
  created: boolean;
  /** The support form, for identity's seed to connect it to the portal. */
  supportFormId: string;
}

/**
 * The demo's "Support form" from the support template, creating tickets in the Support inbox (the
 * account's first pipeline and its first open stage). Nothing new when the account has it already.
 */
export async function seedFormsDemo(
  orm: MikroORM,
  { accountId, supportInboxId }: FormsDemoInput,
): Promise<FormsDemoResult> {
  const em = orm.em.fork();
  const existing = await em.findOne(Form, { accountId, name: DEMO_SUPPORT_FORM });
  if (existing) return { created: false, supportFormId: existing.id };
  const form = em.create(Form, {
    accountId,
    name: DEMO_SUPPORT_FORM,
    fields: z.array(FormField).parse(supportFormFields()),
    ticketCreation: {
      enabled: true,
      destination: { kind: 'inbox', id: supportInboxId },
      pipelineId: null,
      stageId: null,
    },
    thankYouMessage: DEFAULT_THANK_YOU_MESSAGE,
  });
  await em.flush();
  return { created: true, supportFormId: form.id };
}
