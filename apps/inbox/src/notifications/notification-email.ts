import type { Language } from '@helpdesk/contracts';
import { escapeHtml } from '@helpdesk/kit';

export interface AgentReplyEmail {
  language: Language;
  portalName: string;
  requesterName: string;
  agentName: string;
  ticketSubject: string;
  /** The reply, sanitised HTML and its plain text. */
  bodyHtml: string;
  bodyText: string;
  attachmentNames: string[];
  /** The ticket in the portal; null when the portal has no domain yet. */
  link: string | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  links: string[];
}

interface Copy {
  subject: (subject: string) => string;
  greeting: (name: string) => string;
  lead: (agent: string, subject: string) => string;
  attachments: string;
  action: string;
}

const copy: Record<Language, Copy> = {
  en: {
    subject: (subject) => `New reply to your ticket: ${subject}`,
    greeting: (name) => (name ? `Hi ${name},` : 'Hi,'),
    lead: (agent, subject) => `${agent} replied to your ticket “${subject}”:`,
    attachments: 'Attachments',
    action: 'View the ticket and reply',
  },
  fi: {
    subject: (subject) => `Uusi vastaus tikettiisi: ${subject}`,
    greeting: (name) => (name ? `Hei ${name},` : 'Hei,'),
    lead: (agent, subject) => `${agent} vastasi tikettiisi ”${subject}”:`,
    attachments: 'Liitteet',
    action: 'Näytä tiketti ja vastaa',
  },
};

const e = escapeHtml;
const oneLine = (value: string) => value.replace(/[\r\n\t]+/g, ' ').trim();

/**
 * The requester's email about an agent's reply: the reply itself and a link to the ticket, in the
 * portal's language. Every value is escaped except the body, which was sanitised when it was stored.
 */
export function renderAgentReplyEmail(email: AgentReplyEmail): RenderedEmail {
  const words = copy[email.language];
  const subject = oneLine(words.subject(oneLine(email.ticketSubject))).slice(0, 250);
  const greeting = words.greeting(oneLine(email.requesterName));
  const lead = words.lead(oneLine(email.agentName), oneLine(email.ticketSubject));
  const attachments = email.attachmentNames.length
    ? `${words.attachments}: ${email.attachmentNames.map(oneLine).join(', ')}`
    : null;
  const text = [
    greeting,
    lead,
    email.bodyText,
    ...(attachments ? [attachments] : []),
    ...(email.link ? [`${words.action}:\n${email.link}`] : []),
    `-- \n${oneLine(email.portalName)}`,
  ].join('\n\n');
  const html = `<!doctype html>
<html lang="${email.language}">
<head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2937">
<p>${e(greeting)}</p>
<p>${e(lead)}</p>
<div style="margin:0 0 16px;padding:0 0 0 12px;border-left:3px solid #d1d5db">${email.bodyHtml}</div>
${attachments ? `<p style="font-size:14px;color:#4b5563">${e(attachments)}</p>\n` : ''}${
    email.link
      ? `<p><a href="${e(email.link)}" style="color:#1a56db;font-weight:600">${e(words.action)}</a></p>\n`
      : ''
  }<p style="font-size:13px;color:#6b7280">${e(oneLine(email.portalName))}</p>
</body>
</html>
`;
  return { subject, text: `${text}\n`, html, links: email.link ? [email.link] : [] };
}
