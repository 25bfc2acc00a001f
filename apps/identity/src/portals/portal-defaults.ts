import { RECOMMENDED_COLUMNS, SystemPageType, type PortalSettings } from '@helpdesk/contracts';

/** A new account's portal: switched off, own tickets only, access by group, the recommended columns. */
export function defaultPortalSettings(): PortalSettings {
  return {
    general: { name: 'Customer portal', slug: 'support', enabled: false, destination: null },
    permissions: { mode: 'own', segment: { groups: [] } },
    supportForm: {
      connected: false,
      menuText: 'Submit a ticket',
      headerText: 'Submit a ticket',
      formId: null,
    },
    // Default colours meet WCAG 2.2 AA contrast (text 15.8:1 on white, primary 6.3:1 against white text).
    theme: {
      primaryColor: '#1a5fb4',
      backgroundColor: '#f6f7f9',
      surfaceColor: '#ffffff',
      textColor: '#1f2328',
      fontFamily: 'system',
      logoUrl: null,
      cornerRadius: 8,
    },
    ticketDisplay: {
      label: 'Tickets',
      visibility: { groups: [] },
      columns: RECOMMENDED_COLUMNS.map((column) => ({ ...column })),
      ownerDisplay: 'first_name',
      ownerAlias: null,
      showStages: false,
    },
    ticketActions: { replyToClosed: true, allowClose: true, closedStages: {} },
    access: {
      mode: 'access_groups',
      accessGroupIds: [],
      authentication: 'password',
      oidc: null,
      sessionIdleMinutes: 60,
    },
    consent: { notices: [] },
    systemPages: {
      pages: Object.fromEntries(
        SystemPageType.options.map((type) => [type, { template: 'default', source: null }]),
      ) as PortalSettings['systemPages']['pages'],
    },
  };
}
