import { Migration } from '@mikro-orm/migrations';

export class Migration20261127081746 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "tickets"."ticket_export" ("id" uuid not null, "account_id" uuid not null, "contact_id" uuid not null, "request" jsonb not null, "status" text check ("status" in ('queued', 'running', 'done', 'failed')) not null default 'queued', "rows" int not null default 0, "storage_key" varchar(300) null, "error" text null, "created_at" timestamptz(3) not null, "finished_at" timestamptz(3) null, "expires_at" timestamptz(3) not null, constraint "ticket_export_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "ticket_export_expires_at_index" on "tickets"."ticket_export" ("expires_at");`);
    this.addSql(
      `create index "ticket_export_account_id_contact_id_created_at_index" on "tickets"."ticket_export" ("account_id", "contact_id", "created_at");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "tickets"."ticket_export" cascade;`);
  }
}
