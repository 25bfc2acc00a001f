import { serviceOrmConfig } from '@helpdesk/kit';
import { fileURLToPath } from 'node:url';
import { Attachment } from './conversations/attachment.entity.js';
import { Message } from './conversations/message.entity.js';
import { Thread } from './conversations/thread.entity.js';
import { Inbox } from './inboxes/inbox.entity.js';
import { migrations } from './migrations/index.js';
import { InboxOutbox } from './outbox/inbox-outbox.entity.js';

export const ormConfig = (databaseUrl: string) =>
  serviceOrmConfig({
    schema: 'inbox',
    clientUrl: databaseUrl,
    entities: [Inbox, Thread, Message, Attachment, InboxOutbox],
    migrations,
    migrationsPath: fileURLToPath(new URL('../src/migrations', import.meta.url)),
  });
