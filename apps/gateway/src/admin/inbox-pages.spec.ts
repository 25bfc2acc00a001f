import { describe, expect, it } from '@jest/globals';
import type {
  MessageView,
  PipelineView,
  ThreadSummary,
  TicketView,
  TimelineEntry,
} from '@helpdesk/contracts';
import { conversationItems, messageItem, stageOf, timelineItem } from './inbox-pages.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const pipelines: PipelineView[] = [
  {
    id: id(1),
    accountId: id(9),
    label: 'Support',
    displayOrder: 0,
    stages: [
      { id: id(2), label: 'New', displayOrder: 0, state: 'open' },
      { id: id(3), label: 'Closed', displayOrder: 1, state: 'closed' },
    ],
  },
];

const ticket = (stageId: string, closed: boolean) =>
  ({ id: id(4), pipelineId: id(1), stageId, closed }) as TicketView;

const message = (changes: Partial<MessageView>): MessageView => ({
  id: id(5),
  threadId: id(6),
  ticketId: id(4),
  direction: 'from_customer',
  visibility: 'public',
  author: { kind: 'contact', id: null, name: 'Alice Anderson' },
  bodyHtml: '<p>Hi</p>',
  bodyText: 'Hi',
  createdAt: '2026-11-27T10:00:00.000Z',
  attachments: [],
  ...changes,
});

describe('stageOf', () => {
  it('names the ticket’s stage and says whether the ticket is closed', () => {
    expect(stageOf(ticket(id(2), false), pipelines)).toEqual({ label: 'New', closed: false });
    expect(stageOf(ticket(id(3), true), pipelines)).toEqual({ label: 'Closed', closed: true });
  });

  it('says so when the stage is not in the ticket’s pipeline', () => {
    expect(stageOf(ticket(id(7), false), pipelines)).toEqual({ label: 'Unknown stage', closed: false });
  });
});

describe('messageItem', () => {
  it('tells customer messages, agent replies and internal notes apart', () => {
    expect(messageItem(message({})).role).toEqual({ kind: 'customer', text: 'Customer' });
    expect(messageItem(message({ direction: 'from_agent' })).role).toEqual({ kind: 'agent', text: 'Agent' });
    expect(messageItem(message({ direction: 'from_agent', visibility: 'note' })).role).toEqual({
      kind: 'note',
      text: 'Internal note',
    });
    expect(messageItem(message({ direction: 'from_agent', visibility: 'comment' })).role).toEqual({
      kind: 'note',
      text: 'Internal comment',
    });
  });

  it('links attachments to the agents’ download route, with a readable size', () => {
    const item = messageItem(
      message({
        attachments: [{ id: id(8), fileName: 'log.txt', contentType: 'text/plain', size: 2048 }],
      }),
    );
    expect(item.attachments).toEqual([
      { href: `/api/v1/attachments/${id(8)}`, name: 'log.txt', size: '2 kB' },
    ]);
    expect(item.initials).toBe('AA');
    expect(item.at).toEqual({ text: expect.stringContaining('2026'), datetime: '2026-11-27T10:00:00.000Z' });
  });
});

describe('timelineItem', () => {
  const entry = (changes: Partial<TimelineEntry>): TimelineEntry => ({
    id: id(5),
    kind: 'email',
    direction: 'from_customer',
    ticketId: id(4),
    threadId: id(6),
    subject: 'Printer',
    author: { kind: 'contact', name: 'Alice' },
    text: 'Hi',
    attachmentCount: 0,
    occurredAt: '2026-11-27T10:00:00.000Z',
    ...changes,
  });

  it('says which way an email went and marks notes internal', () => {
    expect(timelineItem(entry({})).kind).toBe('Email from the customer');
    expect(timelineItem(entry({ direction: 'from_agent' })).kind).toBe('Email to the customer');
    expect(timelineItem(entry({ kind: 'note', direction: 'from_agent' }))).toMatchObject({
      kind: 'Internal note',
      internal: true,
      threadHref: `/admin/inbox/threads/${id(6)}#message-${id(5)}`,
    });
  });
});

describe('conversationItems', () => {
  it('marks the oldest thread as the one the portal shows, and the one being looked at', () => {
    const thread = (n: number) =>
      ({
        id: id(n),
        subject: `T${n}`,
        messageCount: 1,
        lastMessageAt: '2026-11-27T10:00:00.000Z',
      }) as ThreadSummary;
    const items = conversationItems([thread(1), thread(2)], id(2));
    expect(items.map(({ inPortal, current }) => ({ inPortal, current }))).toEqual([
      { inPortal: true, current: false },
      { inPortal: false, current: true },
    ]);
  });
});
