import { request } from 'node:http';

export interface PortalResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Where a redirect points (the Location header), if any. */
  location?: string;
}

/**
 * A browser-like HTTP client for the portal's pages: it keeps the session cookie and sends a Host
 * header of its choosing (fetch cannot: Host is a forbidden header there), so one gateway on
 * 127.0.0.1 serves both `localhost` (English) and `fi.localhost` (Finnish).
 */
export class PortalClient {
  cookie?: string;

  constructor(
    readonly baseUrl: string,
    readonly host = 'localhost',
  ) {}

  /** A page (or, with `accept: 'application/json'`, what the page offers scripts). */
  get(path: string, accept = 'text/html'): Promise<PortalResponse> {
    return this.send('GET', path, undefined, undefined, accept);
  }

  /** A form post (application/x-www-form-urlencoded), like a browser without script sends it. */
  post(path: string, fields: Record<string, string>): Promise<PortalResponse> {
    return this.send('POST', path, new URLSearchParams(fields).toString());
  }

  /** A multipart form post (files too), like a browser sends a form with `enctype="multipart/form-data"`. */
  async postMultipart(path: string, form: FormData): Promise<PortalResponse> {
    const encoded = new Request('http://encoder.invalid/', { method: 'POST', body: form });
    const body = Buffer.from(await encoded.arrayBuffer());
    return this.postBody(path, body, encoded.headers.get('content-type')!);
  }

  /** A post of a body written by the caller, byte for byte (e.g. a multipart body no browser would send). */
  postBody(path: string, body: Buffer, contentType: string): Promise<PortalResponse> {
    return this.send('POST', path, body, contentType);
  }

  /** The CSRF token of the form a page carries. */
  static csrfOf(html: string): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!match) throw new Error('no CSRF token on the page');
    return match[1];
  }

  /** Logs in through the login form; resolves with the response to the form post. */
  async login(slug: string, email: string, password: string): Promise<PortalResponse> {
    const page = await this.get(`/${slug}/login`);
    return this.post(`/${slug}/login`, { _csrf: PortalClient.csrfOf(page.body), email, password });
  }

  /** Logs in through the admin area's login form; resolves with the response to the form post. */
  async loginAdmin(email: string, password: string): Promise<PortalResponse> {
    const page = await this.get('/admin/login');
    return this.post('/admin/login', { _csrf: PortalClient.csrfOf(page.body), email, password });
  }

  private send(
    method: string,
    path: string,
    body?: string | Buffer,
    contentType = 'application/x-www-form-urlencoded',
    accept = 'text/html',
  ): Promise<PortalResponse> {
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          headers: {
            host: this.host,
            accept,
            ...(this.cookie ? { cookie: this.cookie } : {}),
            ...(body === undefined
              ? {}
              : {
                  'content-type': contentType,
                  'content-length': String(Buffer.byteLength(body)),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const setCookie = res.headers['set-cookie']?.find((cookie) => cookie.startsWith('hd.sid='));
            if (setCookie) {
              const value = setCookie.split(';')[0];
              // A cleared cookie (logout) leaves the client without one, as a browser would.
              this.cookie = value === 'hd.sid=' ? undefined : value;
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              location: typeof res.headers.location === 'string' ? res.headers.location : undefined,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** The text of every element matching a simple class selector, e.g. the subjects of the list. */
export const textsOf = (html: string, pattern: RegExp): string[] =>
  [...html.matchAll(pattern)].map((match) => decode(match[1]));

const decode = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();

/** Subjects (with ticket ids) of the ticket list page. */
export const listedTickets = (html: string) =>
  [...html.matchAll(/class="ticket-link" href="\/[^/]+\/tickets\/([0-9a-f-]{36})">([^<]*)</g)].map((m) => ({
    id: m[1],
    subject: decode(m[2]),
  }));

/** The Next link of the list page, if any. */
export const nextLinkOf = (html: string) => {
  const match = /href="([^"]+)" rel="next"/.exec(html);
  return match ? decode(match[1]) : null;
};
