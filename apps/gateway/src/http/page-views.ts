import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { Liquid } from 'liquidjs';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The gateway package's root, the same from src/http (tests) and dist/http (the build). */
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
export const VIEWS_DIR = join(packageRoot, 'views');
export const PUBLIC_DIR = join(packageRoot, 'public');
/** Where the files of public/ are served (see gateway.ts). */
export const ASSETS_PATH = '/portal-assets';
/** Browser builds of installed libraries, served beside public/ under these names (no CDN). */
export const LIBRARY_ASSETS: Record<string, string> = {
  // The reply editor (SPEC P3).
  'trix.js': createRequire(import.meta.url).resolve('trix/dist/trix.umd.min.js'),
};

/**
 * The Content-Security-Policy of portal pages: scripts and the theme's style block only with this
 * response's nonce, no plugins, no framing, forms only to this origin.
 */
export const portalCsp = (nonce: string) =>
  [
    "default-src 'self'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

/** `/portal-assets/portal.css?v=<hash of the file>`: cached long, refetched when the file changes. */
function assetUrls(): Record<string, string> {
  const files: [string, string][] = [
    ...readdirSync(PUBLIC_DIR).map((name): [string, string] => [name, join(PUBLIC_DIR, name)]),
    ...Object.entries(LIBRARY_ASSETS),
  ];
  const urls: Record<string, string> = {};
  for (const [name, path] of files) {
    const hash = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
    urls[name.replace(/[^a-z0-9]/gi, '_')] = `${ASSETS_PATH}/${name}?v=${hash}`;
  }
  return urls;
}

/**
 * Renders the portal's and the admin area's Liquid templates (`views/portal/…`, `views/admin/…`; the
 * template is named with its folder). Every output is HTML-escaped
 * unless a template says `| raw`: only for message bodies, which inbox sanitised with an allow-list,
 * and the ticket list's parts that ticket-table.ts builds, escaping every value.
 */
@Injectable()
export class PageViews {
  private readonly liquid = new Liquid({
    root: VIEWS_DIR,
    extname: '.liquid',
    cache: true,
    outputEscape: 'escape',
    strictFilters: true,
    ownPropertyOnly: true,
  });
  private readonly assets = assetUrls();

  /**
   * Synchronous on purpose: every value a page shows is in `data` already, and LiquidJS's async
   * renderer costs a promise per tag, which was most of the gateway's CPU on the ticket list.
   */
  render(res: Response, template: string, data: Record<string, unknown>, status = 200): void {
    const nonce = randomBytes(16).toString('base64');
    const html = String(this.liquid.renderFileSync(template, { ...data, nonce, assets: this.assets }));
    res.setHeader('Content-Security-Policy', portalCsp(nonce));
    // Pages are per customer: never stored by shared caches or the back/forward cache.
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).type('html').send(html);
  }
}
