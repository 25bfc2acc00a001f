import { z } from 'zod';
import { AccountScoped, Id, IsoDateTime, PageOf, PageRequest, PingRequest, PingResponse } from './common.js';
import { PropertyName, PropertyOption } from './filters.js';
import { InboxKind } from './inbox.js';
import { rpc } from './rpc.js';

// ---------------------------------------------------------------------------------------------
// Forms (SPEC S5, P5): fields mapped to contact and ticket properties; a form with ticket properties
// may create a ticket from every submission, in a destination inbox or help desk.

export const FormFieldType = z.enum(['text', 'textarea', 'email', 'number', 'select', 'checkbox', 'file']);
export type FormFieldType = z.infer<typeof FormFieldType>;

/** Which record a field's value goes to. */
export const FormPropertyObject = z.enum(['contact', 'ticket']);
export type FormPropertyObject = z.infer<typeof FormPropertyObject>;

/**
 * Contact: `email`, `first_name`, `last_name` or a custom contact property (identity's
 * `identity.contactProperties.list`). Ticket: `subject`, `content`, `priority` or a custom ticket
 * property (`tickets.properties.list`).
 */
export const FieldProperty = z.object({ object: FormPropertyObject, name: PropertyName });
export type FieldProperty = z.infer<typeof FieldProperty>;

/** Built-in properties a form may fill, by object. */
export const FORM_BUILT_IN_PROPERTIES = {
  contact: ['email', 'first_name', 'last_name'],
  ticket: ['subject', 'content', 'priority'],
} as const satisfies Record<FormPropertyObject, readonly string[]>;

/**
 * The hidden field of the honeypot (a trap for bots; leave it out of sight and empty in embed code):
 * a submission with a value in it is answered like a success and stored nowhere.
 */
export const HONEYPOT_FIELD = 'hd_website';
/** Where an HTML form post is sent back to after a success (same site as the posting page only). */
export const REDIRECT_FIELD = 'redirectUrl';
/** Names that belong to the submission endpoint, never to a form's fields. */
export const RESERVED_FIELD_NAMES: readonly string[] = [HONEYPOT_FIELD, REDIRECT_FIELD];

/**
 * The words of per-field submission errors, in one place so the gateway can name them in other
 * shapes (HubSpot's `errorType`).
 */
export const FieldProblem = {
  required: 'is required',
  email: 'must be an email address',
  number: 'must be a number',
  option: 'is not one of the options',
  checkbox: 'must be true or false',
  date: 'must be a date (YYYY-MM-DD)',
  unknown: 'is not a field of this form',
  file: 'file uploads are not accepted by this endpoint yet',
  tooLong: (max: number) => `must be at most ${max} characters`,
  oneValue: 'takes one value',
} as const;

export const FieldName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'must start with a letter and use only letters, digits, _ . and -')
  .refine((name) => !RESERVED_FIELD_NAMES.includes(name), 'is reserved for the submission endpoint');

export const FormField = z
  .object({
    /** What the browser posts it as (`<input name>`); unique in the form. */
    name: FieldName,
    label: z.string().trim().min(1, 'is required').max(200),
    type: FormFieldType,
    required: z.boolean().default(false),
    /** A select's choices, in order (value is what is stored). Only for selects. */
    options: z.array(PropertyOption).max(200).nullable().default(null),
    helpText: z.string().trim().max(500).default(''),
    /** Where the value goes. Every field but a file field has one; file fields have none (yet). */
    property: FieldProperty.nullable().default(null),
  })
  .superRefine((field, ctx) => {
    if (field.type === 'select' && !field.options?.length)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a select needs at least one option' });
    if (field.type !== 'select' && field.options !== null)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a select has options' });
    if (field.type === 'file') {
      if (field.property)
        ctx.addIssue({ code: 'custom', path: ['property'], message: 'a file field maps to no property' });
      if (field.required)
        ctx.addIssue({
          code: 'custom',
          path: ['required'],
          message: 'a file field cannot be required while uploads are not accepted',
        });
    } else if (!field.property) ctx.addIssue({ code: 'custom', path: ['property'], message: 'is required' });
  });
export type FormField = z.output<typeof FormField>;
export type FormFieldInput = z.input<typeof FormField>;

/** S5: every submission creates a ticket, in this inbox or help desk, pipeline and stage. */
export const TicketCreation = z.object({
  enabled: z.boolean().default(false),
  destination: z.object({ kind: InboxKind, id: Id }).nullable().default(null),
  /** Null: the account's first pipeline. */
  pipelineId: Id.nullable().default(null),
  /** Null: the pipeline's first open stage. Must be an open stage of the pipeline. */
  stageId: Id.nullable().default(null),
});
export type TicketCreation = z.output<typeof TicketCreation>;

const FormName = z.string().trim().min(1, 'is required').max(200);
const ThankYouMessage = z.string().trim().min(1, 'is required').max(1000);
export const DEFAULT_THANK_YOU_MESSAGE = 'Thanks for submitting the form.';

export const FormView = z.object({
  id: Id,
  accountId: Id,
  name: z.string(),
  fields: z.array(FormField),
  ticketCreation: TicketCreation,
  /** Shown after a submission (HubSpot's `inlineMessage`, the thank-you page). */
  thankYouMessage: z.string(),
  /** Some field fills a ticket property. */
  containsTicketProperties: z.boolean(),
  /** Contains ticket properties and creates tickets in an inbox or help desk: may be the portal's support form (S5). */
  usableAsSupportForm: z.boolean(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
});
export type FormView = z.infer<typeof FormView>;

const Fields = z.array(FormField).min(1, 'add at least one field').max(50, 'at most 50 fields');

/**
 * Beyond each field's shape, the service checks the whole form: unique names and properties, one
 * required email field for the contact, each property exists and suits the field type, ticket creation
 * only with ticket properties and a destination that exists, a stage of the pipeline.
 */
export const CreateFormRequest = AccountScoped.extend({
  name: FormName,
  fields: Fields,
  ticketCreation: TicketCreation.default({
    enabled: false,
    destination: null,
    pipelineId: null,
    stageId: null,
  }),
  thankYouMessage: ThankYouMessage.default(DEFAULT_THANK_YOU_MESSAGE),
});
export type CreateFormRequest = z.input<typeof CreateFormRequest>;

export const FormTemplate = z.enum(['support']);
/**
 * A form from a template. `support`: email, first and last name (contact), subject, description and
 * priority (ticket); field names as HubSpot's (`email`, `firstname`, `lastname`, `subject`, `content`,
 * `hs_ticket_priority`), so existing embed code fits.
 */
export const CreateFormFromTemplateRequest = AccountScoped.extend({
  template: FormTemplate,
  name: FormName.optional(),
  ticketCreation: TicketCreation.optional(),
});

/** Changes what is given; the result is checked as a whole. */
export const UpdateFormRequest = AccountScoped.extend({
  id: Id,
  name: FormName.optional(),
  fields: Fields.optional(),
  ticketCreation: TicketCreation.optional(),
  thankYouMessage: ThankYouMessage.optional(),
});
export type UpdateFormRequest = z.input<typeof UpdateFormRequest>;

export const GetFormRequest = AccountScoped.extend({ id: Id });
/** Refused with FORM_IN_USE while the portal's support form is connected to it. */
export const DeleteFormRequest = AccountScoped.extend({ id: Id });
/** The account's forms by name. */
export const ListFormsRequest = AccountScoped.extend(PageRequest.shape);

// ---------------------------------------------------------------------------------------------
// Submissions

/** What a browser or a script may post as one field's value (selects and checkboxes may repeat). */
export const SubmittedValue = z.union([
  z.string().max(100_000),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.union([z.string().max(1_000), z.number(), z.boolean()])).max(100),
]);
export type SubmittedValue = z.infer<typeof SubmittedValue>;

export const SubmissionChannel = z.enum(['json', 'html', 'hubspot', 'portal']);
export type SubmissionChannel = z.infer<typeof SubmissionChannel>;

/**
 * A submission, stored with its delivery (contact, ticket, thread) in one transaction before the
 * answer. No `accountId` needed for a public post (the form names its account); when given it must be
 * the form's. `contactId` (a logged-in portal customer, passed by the gateway from the session, never
 * from the body) is the requester and wins over the email field, which it also makes optional.
 */
export const SubmitFormRequest = z
  .object({
    formId: Id,
    accountId: Id.optional(),
    contactId: Id.optional(),
    values: z
      .record(z.string().max(200), SubmittedValue)
      .refine((values) => Object.keys(values).length <= 200, 'at most 200 values'),
    channel: SubmissionChannel.default('json'),
    context: z
      .object({
        pageUri: z.string().max(2_000).optional(),
        pageName: z.string().max(500).optional(),
        /** HubSpot's tracking cookie, kept as given. */
        hutk: z.string().max(200).optional(),
        /** HubSpot's legalConsentOptions, kept as given (bounded by the body limit). */
        legalConsent: z.unknown().optional(),
      })
      .default({}),
  })
  .superRefine((request, ctx) => {
    if (request.contactId && !request.accountId)
      ctx.addIssue({ code: 'custom', path: ['accountId'], message: 'is required with a contactId' });
  });
export type SubmitFormRequest = z.input<typeof SubmitFormRequest>;

export const SubmitFormResult = z.object({
  submissionId: Id,
  /** The form's thank-you message. */
  inlineMessage: z.string(),
});
export type SubmitFormResult = z.infer<typeof SubmitFormResult>;

/** pending: not delivered yet; retrying: at least one delivery failed, more will come; delivered: done. */
export const SubmissionStatus = z.enum(['pending', 'retrying', 'delivered']);
export type SubmissionStatus = z.infer<typeof SubmissionStatus>;

export const SubmissionView = z.object({
  id: Id,
  accountId: Id,
  formId: Id,
  channel: SubmissionChannel,
  /** The values as validated, by field name. */
  values: z.record(z.string(), z.unknown()),
  status: SubmissionStatus,
  /** Delivery attempts so far. */
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  /** The requester: the logged-in contact, or found or created by email on delivery. */
  contactId: Id.nullable(),
  ticketId: Id.nullable(),
  threadId: Id.nullable(),
  pageUri: z.string().nullable(),
  pageName: z.string().nullable(),
  createdAt: IsoDateTime,
  deliveredAt: IsoDateTime.nullable(),
});
export type SubmissionView = z.infer<typeof SubmissionView>;

/** A form's submissions, newest first (keyset cursor). */
export const ListSubmissionsRequest = AccountScoped.extend({
  formId: Id,
  status: SubmissionStatus.optional(),
  ...PageRequest.shape,
});

/**
 * One submission with its delivery state. With `contactId`, only a submission of that contact (the
 * portal's "request received" page asks for the logged-in customer's own); any other is
 * SUBMISSION_NOT_FOUND, like one that does not exist.
 */
export const GetSubmissionRequest = AccountScoped.extend({ id: Id, contactId: Id.optional() });

export const FormsRpc = {
  'forms.ping': rpc(PingRequest, PingResponse),
  'forms.list': rpc(ListFormsRequest, PageOf(FormView)),
  'forms.get': rpc(GetFormRequest, FormView),
  'forms.create': rpc(CreateFormRequest, FormView),
  'forms.createFromTemplate': rpc(CreateFormFromTemplateRequest, FormView),
  'forms.update': rpc(UpdateFormRequest, FormView),
  'forms.delete': rpc(DeleteFormRequest, z.object({ deleted: z.literal(true) })),
  'forms.submit': rpc(SubmitFormRequest, SubmitFormResult),
  'forms.submissions.list': rpc(ListSubmissionsRequest, PageOf(SubmissionView)),
  'forms.submissions.get': rpc(GetSubmissionRequest, SubmissionView),
};
