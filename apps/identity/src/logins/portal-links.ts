import type { IdentityConfig } from '../config.js';

/** Where a portal page is, for links in emails: `{scheme}://{domain}[:port]/{slug}/{page}?token=…`. */
export function portalLink(
  config: Pick<IdentityConfig, 'PORTAL_LINK_SCHEME' | 'PORTAL_LINK_PORT'>,
  hostname: string,
  slug: string,
  page: string,
  token: string,
): string {
  const port = config.PORTAL_LINK_PORT ? `:${config.PORTAL_LINK_PORT}` : '';
  return `${config.PORTAL_LINK_SCHEME}://${hostname}${port}/${slug}/${page}?token=${encodeURIComponent(token)}`;
}
