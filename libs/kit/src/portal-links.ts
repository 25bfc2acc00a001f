/** How services that send mail reach the portal: the scheme, and a port when it is not the default. */
export interface PortalLinkConfig {
  PORTAL_LINK_SCHEME: 'http' | 'https';
  PORTAL_LINK_PORT?: number;
}

/**
 * Where a portal page is, for links in emails: `{scheme}://{hostname}[:port]/{slug}/{page}[?query]`,
 * each path segment and query value encoded.
 */
export function portalPageUrl(
  config: PortalLinkConfig,
  hostname: string,
  slug: string,
  page: string,
  query: Record<string, string> = {},
): string {
  const port = config.PORTAL_LINK_PORT ? `:${config.PORTAL_LINK_PORT}` : '';
  const path = [slug, ...page.split('/')].map(encodeURIComponent).join('/');
  const search = new URLSearchParams(query).toString();
  return `${config.PORTAL_LINK_SCHEME}://${hostname}${port}/${path}${search ? `?${search}` : ''}`;
}
