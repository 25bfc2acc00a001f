import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A file on a message; the file itself is in the shared file storage under `storageKey`. */
@Entity({ tableName: 'attachment' })
@Index({ properties: ['accountId', 'messageId'] })
// A stored file belongs to one message.
@Unique({ properties: ['accountId', 'storageKey'] })
export class Attachment {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'uuid' })
  messageId: string;

  /** Its place among the message's attachments, as the reply listed them. */
  @Property({ type: 'smallint' })
  position: number;

  @Property({ type: 'string', length: 300 })
  storageKey: string;

  @Property({ type: 'string', length: 255 })
  fileName: string;

  @Property({ type: 'string', length: 255 })
  contentType: string;

  /** Bytes (at most MAX_ATTACHMENT_BYTES, which is capped at 1 GiB). */
  @Property({ type: 'integer' })
  size: number;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();
}
