import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ensurePipelinesOf, pipelineViews } from './pipelines/pipelines.service.js';
import { Ticket } from './tickets/ticket.entity.js';

type StageName = 'New' | 'Waiting on contact' | 'Waiting on us' | 'Closed';

const demoTickets: [
  subject: string,
  priority: Ticket['priority'],
  stage: StageName,
  ownedByAgent: boolean,
][] = [
  ['Printer on fire', 'urgent', 'Waiting on us', true],
  ['Cannot log in to the VPN', 'high', 'Waiting on contact', true],
  ['Invoice 2026-114 shows the wrong VAT', 'medium', 'Closed', true],
  ['Request: new laptop for the sales team', 'low', 'New', false],
  ['Email bounces from acme.test', 'high', 'Waiting on us', true],
  ['Tulostin ei tulosta', 'medium', 'Closed', true],
  ['Password reset link expired', 'medium', 'Closed', false],
  ['Add two seats to our plan', 'low', 'New', false],
  ['Dashboard loads slowly in the morning', 'medium', 'Waiting on us', true],
  ['Export to CSV misses the last column', 'low', 'Waiting on contact', true],
  ['Phone line crackles in meeting room B', 'low', 'Closed', true],
  ['Kirjautuminen ei onnistu mobiilissa', 'high', 'New', false],
];

interface DemoPerson {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface TicketsDemoInput {
  accountId: string;
  /** The identity seed's contacts by email, with their primary company. */
  contacts: Record<string, DemoPerson & { companyId: string | null }>;
  /** The demo agent, who owns some tickets. */
  agent?: DemoPerson;
}

/** A demo ticket as the seed reports it, for the inbox seed to open its thread. */
export interface DemoTicketReport {
  id: string;
  subject: string;
  content: string;
  requesterContactId: string | null;
  requesterName: string;
  requesterEmail: string;
  createdAt: string;
  closed: boolean;
}

/**
 * The SPEC's dozen demo tickets in the support pipeline, spread over the demo contacts and the last
 * weeks, some closed and some owned by the agent; nothing new when the account has tickets already.
 * Reports the account's demo tickets either way, so a re-run can still seed what follows them.
 */
export async function seedTicketsDemo(
  orm: MikroORM,
  input: TicketsDemoInput,
): Promise<{ created: number; tickets: DemoTicketReport[] }> {
  const em = orm.em.fork();
  const created =
    (await em.count(Ticket, { accountId: input.accountId })) > 0 ? 0 : await createDemoTickets(em, input);
  const tickets = await em.find(
    Ticket,
    { accountId: input.accountId, subject: { $in: demoTickets.map(([subject]) => subject) } },
    { orderBy: { createdAt: 'asc' } },
  );
  return {
    created,
    tickets: tickets.map((ticket) => ({
      id: ticket.id,
      subject: ticket.subject,
      content: ticket.content,
      requesterContactId: ticket.requesterContactId,
      requesterName: ticket.requesterName,
      requesterEmail: ticket.requesterEmail,
      createdAt: ticket.createdAt.toISOString(),
      closed: ticket.closed,
    })),
  };
}

async function createDemoTickets(
  em: EntityManager,
  { accountId, contacts, agent }: TicketsDemoInput,
): Promise<number> {
  await ensurePipelinesOf(em, accountId);
  const [pipeline] = await pipelineViews(em, accountId);
  const now = Date.now();
  const requesters = Object.values(contacts);
  demoTickets.forEach(([subject, priority, stageName, ownedByAgent], index) => {
    const requester = requesters.length ? requesters[index % requesters.length] : undefined;
    const stage = pipeline.stages.find((s) => s.label === stageName)!;
    const createdAt = new Date(now - (demoTickets.length - index) * 37 * 3_600_000);
    const lastActivityAt = new Date(createdAt.getTime() + 3 * 3_600_000);
    const owner = ownedByAgent ? agent : undefined;
    em.create(Ticket, {
      accountId,
      subject,
      content: `${subject}. Details from the customer.`,
      priority,
      pipelineId: pipeline.id,
      stageId: stage.id,
      closed: stage.state === 'closed',
      closedAt: stage.state === 'closed' ? lastActivityAt : null,
      ownerId: owner?.id ?? null,
      ownerFirstName: owner?.firstName ?? '',
      ownerLastName: owner?.lastName ?? '',
      requesterContactId: requester?.id ?? null,
      requesterName: requester ? `${requester.firstName} ${requester.lastName}`.trim() : '',
      requesterEmail: requester?.email ?? '',
      companyId: requester?.companyId ?? null,
      source: 'portal',
      createdAt,
      lastActivityAt,
    });
  });
  await em.flush();
  return demoTickets.length;
}
