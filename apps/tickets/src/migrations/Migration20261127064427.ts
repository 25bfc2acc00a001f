import { Migration } from '@mikro-orm/migrations';

export class Migration20261127064427 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "tickets";`);
    this.addSql(
      `create table "tickets"."ticket" ("id" uuid not null, "account_id" uuid not null, "subject" varchar(255) not null, "content" text not null default '', "priority" text check ("priority" in ('low', 'medium', 'high', 'urgent')) null, "requester_contact_id" uuid null, "company_id" uuid null, "created_at" timestamptz(3) not null, "last_activity_at" timestamptz(3) not null, constraint "ticket_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "ticket_account_id_created_at_id_index" on "tickets"."ticket" ("account_id", "created_at", "id");`,
    );
  }
}
