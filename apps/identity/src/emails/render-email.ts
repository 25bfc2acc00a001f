import { escapeHtml } from '@helpdesk/kit';
import type { QueuedEmail } from './email.js';
import { templates, type EmailCopy } from './email-templates.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  /** Every link in the message, so the file transport can log them without logging the body. */
  links: string[];
}

export function renderEmail(email: QueuedEmail): RenderedEmail {
  const copy = copyFor(email);
  const { link } = email.params;
  return {
    subject: copy.subject,
    text: renderText(copy, link),
    html: renderHtml(copy, link, email.locale),
    links: [link],
  };
}

// A switch rather than an index, so each kind's template gets that kind's params with their type.
function copyFor(email: QueuedEmail): EmailCopy {
  const catalogue = templates[email.locale];
  switch (email.kind) {
    case 'invitation':
      return catalogue[email.kind](email.params);
    case 'verification':
      return catalogue[email.kind](email.params);
    case 'password-reset':
      return catalogue[email.kind](email.params);
    default:
      // Job data written by a newer release that this worker does not know yet.
      throw new Error(`no template for email kind ${(email as { kind: string }).kind}`);
  }
}

function renderText(copy: EmailCopy, link: string): string {
  return [copy.greeting, ...copy.lead, `${copy.action}:\n${link}`, ...copy.notes].join('\n\n') + '\n';
}

// Table layout and inline styles: what mail clients (Outlook included) render consistently.
function renderHtml(copy: EmailCopy, link: string, lang: string): string {
  const e = escapeHtml;
  const href = e(link);
  const paragraph = (text: string) => `<p style="margin:0 0 16px">${e(text)}</p>`;
  return `<!doctype html>
<html lang="${e(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(copy.subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f7">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px">
<tr><td style="padding:32px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2937">
${paragraph(copy.greeting)}
${copy.lead.map(paragraph).join('\n')}
<p style="margin:28px 0"><a href="${href}" style="display:inline-block;padding:12px 24px;border-radius:6px;background:#1a56db;color:#ffffff;font-weight:600;text-decoration:none">${e(copy.action)}</a></p>
<p style="margin:0 0 16px;font-size:14px;color:#4b5563">${e(copy.fallback)}<br><a href="${href}" style="color:#1a56db;word-break:break-all">${href}</a></p>
${copy.notes.map(paragraph).join('\n')}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
