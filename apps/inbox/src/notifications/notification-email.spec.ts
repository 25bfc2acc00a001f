import { describe, expect, it } from '@jest/globals';
import { renderAgentReplyEmail, type AgentReplyEmail } from './notification-email.js';

const email: AgentReplyEmail = {
  language: 'en',
  portalName: 'Demo Support',
  requesterName: 'Alice Anderson',
  agentName: 'Sam Agent',
  ticketSubject: 'Printer on fire',
  bodyHtml: '<p>Please try <strong>turning it off</strong>.</p>',
  bodyText: 'Please try turning it off.',
  attachmentNames: ['manual.pdf', 'photo.png'],
  link: 'http://localhost:3000/support/tickets/8d5a2f4e-1b3c-4d5e-8f60-718293a4b5c6',
};

describe('the agent reply email', () => {
  it('carries the reply, the attachments’ names and the link to the ticket', () => {
    const rendered = renderAgentReplyEmail(email);
    expect(rendered.subject).toBe('New reply to your ticket: Printer on fire');
    expect(rendered.text).toBe(
      'Hi Alice Anderson,\n\nSam Agent replied to your ticket “Printer on fire”:\n\nPlease try turning it off.\n\n' +
        'Attachments: manual.pdf, photo.png\n\nView the ticket and reply:\n' +
        'http://localhost:3000/support/tickets/8d5a2f4e-1b3c-4d5e-8f60-718293a4b5c6\n\n-- \nDemo Support\n',
    );
    expect(rendered.html).toContain('<p>Please try <strong>turning it off</strong>.</p>');
    expect(rendered.html).toContain(
      'href="http://localhost:3000/support/tickets/8d5a2f4e-1b3c-4d5e-8f60-718293a4b5c6"',
    );
    expect(rendered.links).toEqual([email.link]);
  });

  it('is in Finnish for a Finnish portal', () => {
    const rendered = renderAgentReplyEmail({ ...email, language: 'fi' });
    expect(rendered.subject).toBe('Uusi vastaus tikettiisi: Printer on fire');
    expect(rendered.text).toContain('Hei Alice Anderson,');
    expect(rendered.text).toContain('Näytä tiketti ja vastaa:');
    expect(rendered.html).toContain('<html lang="fi">');
  });

  it('escapes names and subjects, and keeps header lines single', () => {
    const rendered = renderAgentReplyEmail({
      ...email,
      ticketSubject: 'Hi\r\nBcc: victim@evil.test <script>',
      agentName: '<img src=x onerror=alert(1)>',
      attachmentNames: ['<b>.pdf'],
    });
    expect(rendered.subject).toBe('New reply to your ticket: Hi Bcc: victim@evil.test <script>');
    expect(rendered.subject).not.toMatch(/[\r\n]/);
    expect(rendered.html).not.toContain('<script>');
    expect(rendered.html).not.toContain('<img');
    expect(rendered.html).toContain('&lt;b&gt;.pdf');
  });

  it('goes without a link when the portal has no domain', () => {
    const rendered = renderAgentReplyEmail({ ...email, link: null, attachmentNames: [] });
    expect(rendered.links).toEqual([]);
    expect(rendered.text).not.toContain('View the ticket');
    expect(rendered.text).not.toContain('Attachments');
  });
});
