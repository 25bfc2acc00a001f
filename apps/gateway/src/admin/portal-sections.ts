import type { PortalSection } from '@helpdesk/contracts';

/** Every customer-portal settings section by the name the settings page, its notices and the audit log give it. */
export const SECTION_TITLES: Record<PortalSection, string> = {
  general: 'General',
  permissions: 'Ticket permissions',
  supportForm: 'Support form',
  theme: 'Theme',
  ticketDisplay: 'Ticket display',
  ticketActions: 'Ticket actions',
  access: 'Access',
  consent: 'Consent notice',
  systemPages: 'System pages',
};
