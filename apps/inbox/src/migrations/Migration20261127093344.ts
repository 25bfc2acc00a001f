import { Migration } from '@mikro-orm/migrations';

export class Migration20261127093344 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "inbox";`);
    this.addSql(
      `create table "inbox"."attachment" ("id" uuid not null, "account_id" uuid not null, "message_id" uuid not null, "position" smallint not null, "storage_key" varchar(300) not null, "file_name" varchar(255) not null, "content_type" varchar(255) not null, "size" int not null, "created_at" timestamptz(3) not null, constraint "attachment_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "attachment_account_id_message_id_index" on "inbox"."attachment" ("account_id", "message_id");`,
    );
    this.addSql(
      `alter table "inbox"."attachment" add constraint "attachment_account_id_storage_key_unique" unique ("account_id", "storage_key");`,
    );

    this.addSql(
      `create table "inbox"."inbox" ("id" uuid not null, "account_id" uuid not null, "kind" text check ("kind" in ('inbox', 'help_desk')) not null, "name" varchar(100) not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, constraint "inbox_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "inbox_account_id_created_at_id_index" on "inbox"."inbox" ("account_id", "created_at", "id");`,
    );

    this.addSql(
      `create table "inbox"."outbox" ("id" uuid not null, "account_id" uuid not null, "kind" varchar(100) not null, "payload" jsonb not null, "created_at" timestamptz(3) not null default now(), "next_attempt_at" timestamptz(3) not null default now(), "attempts" int not null default 0, "last_error" text null, "delivered_at" timestamptz(3) null, "claim_token" uuid null, constraint "outbox_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "outbox_pending_index" on "inbox"."outbox" ("next_attempt_at", "id") where "delivered_at" is null;`,
    );
    this.addSql(
      `create index "outbox_delivered_index" on "inbox"."outbox" ("delivered_at") where "delivered_at" is not null;`,
    );

    this.addSql(
      `create table "inbox"."message" ("id" uuid not null, "account_id" uuid not null, "thread_id" uuid not null, "ticket_id" uuid not null, "direction" text check ("direction" in ('from_customer', 'from_agent')) not null, "visibility" text check ("visibility" in ('public', 'note', 'comment')) not null, "author_kind" text check ("author_kind" in ('contact', 'user')) not null, "author_contact_id" uuid null, "author_user_id" uuid null, "author_name" text not null, "body_html" text not null, "body_text" text not null, "created_at" timestamptz(3) not null, constraint "message_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "message_account_id_author_contact_id_created_at_id_index" on "inbox"."message" ("account_id", "author_contact_id", "created_at", "id");`,
    );
    this.addSql(
      `create index "message_account_id_ticket_id_created_at_id_index" on "inbox"."message" ("account_id", "ticket_id", "created_at", "id");`,
    );
    this.addSql(
      `create index "message_account_id_thread_id_created_at_id_index" on "inbox"."message" ("account_id", "thread_id", "created_at", "id");`,
    );

    this.addSql(
      `create table "inbox"."thread" ("id" uuid not null, "account_id" uuid not null, "inbox_id" uuid not null, "ticket_id" uuid not null, "subject" varchar(255) not null, "requester_contact_id" uuid null, "requester_name" text not null, "requester_email" text not null, "idempotency_key" varchar(200) null, "created_at" timestamptz(3) not null, "last_message_at" timestamptz(3) not null, "message_count" int not null default 0, "last_message_preview" text not null default '', constraint "thread_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create unique index "thread_account_id_idempotency_key_unique" on "inbox"."thread" ("account_id", "idempotency_key") where "idempotency_key" is not null;`,
    );
    this.addSql(
      `create index "thread_account_id_requester_contact_id_index" on "inbox"."thread" ("account_id", "requester_contact_id");`,
    );
    this.addSql(
      `create index "thread_account_id_ticket_id_created_at_id_index" on "inbox"."thread" ("account_id", "ticket_id", "created_at", "id");`,
    );
    this.addSql(
      `create index "thread_account_id_inbox_id_last_message_at_id_index" on "inbox"."thread" ("account_id", "inbox_id", "last_message_at", "id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "inbox"."attachment" cascade;`);

    this.addSql(`drop table if exists "inbox"."inbox" cascade;`);

    this.addSql(`drop table if exists "inbox"."outbox" cascade;`);

    this.addSql(`drop table if exists "inbox"."message" cascade;`);

    this.addSql(`drop table if exists "inbox"."thread" cascade;`);

    this.addSql(`drop schema if exists "inbox";`);
  }
}
