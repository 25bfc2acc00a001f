import { Migration } from '@mikro-orm/migrations';

export class Migration20261127095902 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "forms";`);
    this.addSql(
      `create table "forms"."form" ("id" uuid not null, "account_id" uuid not null, "name" varchar(200) not null, "fields" jsonb not null, "ticket_creation" jsonb not null, "date_fields" jsonb not null, "thank_you_message" text not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, constraint "form_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "form_account_id_name_id_index" on "forms"."form" ("account_id", "name", "id");`,
    );

    this.addSql(
      `create table "forms"."outbox" ("id" uuid not null, "account_id" uuid not null, "kind" varchar(100) not null, "payload" jsonb not null, "created_at" timestamptz(3) not null default now(), "next_attempt_at" timestamptz(3) not null default now(), "attempts" int not null default 0, "last_error" text null, "delivered_at" timestamptz(3) null, "claim_token" uuid null, constraint "outbox_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "outbox_pending_index" on "forms"."outbox" ("next_attempt_at", "id") where "delivered_at" is null;`,
    );
    this.addSql(
      `create index "outbox_delivered_index" on "forms"."outbox" ("delivered_at") where "delivered_at" is not null;`,
    );

    this.addSql(
      `create table "forms"."submission" ("id" uuid not null, "account_id" uuid not null, "form_id" uuid not null, "channel" text check ("channel" in ('json', 'html', 'hubspot', 'portal')) not null, "field_values" jsonb not null, "status" text check ("status" in ('pending', 'retrying', 'delivered')) not null default 'pending', "attempts" int not null default 0, "last_error" text null, "contact_id" uuid null, "ticket_id" uuid null, "thread_id" uuid null, "page_uri" text null, "page_name" text null, "context" jsonb null, "created_at" timestamptz(3) not null default now(), "delivered_at" timestamptz(3) null, constraint "submission_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "submission_account_id_form_id_created_at_id_index" on "forms"."submission" ("account_id", "form_id", "created_at", "id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "forms"."form" cascade;`);

    this.addSql(`drop table if exists "forms"."outbox" cascade;`);

    this.addSql(`drop table if exists "forms"."submission" cascade;`);

    this.addSql(`drop schema if exists "forms";`);
  }
}
