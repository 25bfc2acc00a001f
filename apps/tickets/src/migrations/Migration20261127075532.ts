import { Migration } from '@mikro-orm/migrations';

export class Migration20261127075532 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "tickets"."ticket_message" ("message_id" uuid not null, "account_id" uuid not null, "ticket_id" uuid not null, "occurred_at" timestamptz(3) not null, "recorded_at" timestamptz(3) not null, constraint "ticket_message_pkey" primary key ("message_id"));`,
    );
    this.addSql(
      `create index "ticket_message_account_id_ticket_id_index" on "tickets"."ticket_message" ("account_id", "ticket_id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "tickets"."ticket_message" cascade;`);
  }
}
