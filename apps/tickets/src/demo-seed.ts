import { MikroORM } from '@mikro-orm/postgresql';
import { Ticket } from './tickets/ticket.entity.js';

const subjects: [string, Ticket['priority']][] = [
  ['Printer on fire', 'urgent'],
  ['Cannot log in to the VPN', 'high'],
  ['Invoice 2026-114 shows the wrong VAT', 'medium'],
  ['Request: new laptop for the sales team', 'low'],
  ['Email bounces from acme.test', 'high'],
  ['Tulostin ei tulosta', 'medium'],
  ['Password reset link expired', 'medium'],
  ['Add two seats to our plan', 'low'],
  ['Dashboard loads slowly in the morning', 'medium'],
  ['Export to CSV misses the last column', 'low'],
  ['Phone line crackles in meeting room B', 'low'],
  ['Kirjautuminen ei onnistu mobiilissa', 'high'],
];

export interface TicketsDemoInput {
  accountId: string;
  /** The identity seed's contacts by email, with their primary company. */
  contacts: Record<string, { id: string; companyId: string | null }>;
}

/** A dozen tickets for the demo account, spread over its contacts and the last weeks; nothing when it has tickets. */
export async function seedTicketsDemo(
  orm: MikroORM,
  { accountId, contacts }: TicketsDemoInput,
): Promise<{ created: number }> {
  const em = orm.em.fork();
  if ((await em.count(Ticket, { accountId })) > 0) return { created: 0 };
  const now = Date.now();
  const requesters = Object.values(contacts);
  subjects.forEach(([subject, priority], index) => {
    const requester = requesters.length ? requesters[index % requesters.length] : undefined;
    const createdAt = new Date(now - (subjects.length - index) * 37 * 3_600_000);
    em.create(Ticket, {
      accountId,
      subject,
      content: `${subject}. Details from the customer.`,
      priority,
      requesterContactId: requester?.id ?? null,
      companyId: requester?.companyId ?? null,
      createdAt,
      lastActivityAt: new Date(createdAt.getTime() + 3 * 3_600_000),
    });
  });
  await em.flush();
  return { created: subjects.length };
}
