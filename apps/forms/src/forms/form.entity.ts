import type { FormField, TicketCreation } from '@helpdesk/contracts';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

/** A form: its fields (each mapped to a contact or ticket property) and automatic ticket creation (S5). */
@Entity({ tableName: 'form' })
// The admin list, by name (a keyset walk).
@Index({ properties: ['accountId', 'name', 'id'] })
export class Form {
  [OptionalProps]?: 'dateFields' | 'createdAt' | 'updatedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  accountId: string;

  @Property({ type: 'string', length: 200 })
  name: string;

  /** The fields in order, as the contract's FormField. */
  @Property({ type: 'json' })
  fields: FormField[];

  @Property({ type: 'json' })
  ticketCreation: TicketCreation;

  /** Names of the text fields that fill a custom date property (known at save: property types never change). */
  @Property({ type: 'json' })
  dateFields: string[] = [];

  @Property({ type: 'text' })
  thankYouMessage: string;

  @Property({ type: 'datetime', length: 3 })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', length: 3, onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
