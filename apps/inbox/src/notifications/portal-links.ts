import type { InboxConfig } from '../config.js';

/** A ticket's page in the portal: `{scheme}://{domain}[:port]/{slug}/tickets/{ticketId}`. */
export function portalTicketLink(
  config: Pick<InboxConfig, 'PORTAL_LINK_SCHEME' | 'PORTAL_LINK_PORT'>,
  hostname: string,
  slug: string,
  ticketId: string,
): string {
  const port = config.PORTAL_LINK_PORT ? `:${config.PORTAL_LINK_PORT}` : '';
  return `${config.PORTAL_LINK_SCHEME}://${hostname}${port}/${encodeURIComponent(slug)}/tickets/${encodeURIComponent(ticketId)}`;
}
