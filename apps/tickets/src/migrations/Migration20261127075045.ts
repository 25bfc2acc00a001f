import { Migration } from '@mikro-orm/migrations';

export class Migration20261127075045 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "tickets"."pipeline" ("id" uuid not null, "account_id" uuid not null, "label" varchar(100) not null, "display_order" int not null default 0, "created_at" timestamptz(3) not null, constraint "pipeline_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "pipeline_account_id_display_order_index" on "tickets"."pipeline" ("account_id", "display_order");`,
    );

    this.addSql(
      `create table "tickets"."stage" ("id" uuid not null, "account_id" uuid not null, "pipeline_id" uuid not null, "label" varchar(100) not null, "display_order" int not null default 0, "state" varchar(10) not null, constraint "stage_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "stage_pipeline_id_display_order_index" on "tickets"."stage" ("pipeline_id", "display_order");`,
    );

    this.addSql(
      `create table "tickets"."ticket_property" ("id" uuid not null, "account_id" uuid not null, "name" varchar(100) not null, "label" varchar(100) not null, "type" varchar(20) not null, "options" jsonb null, "created_at" timestamptz(3) not null, constraint "ticket_property_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "tickets"."ticket_property" add constraint "ticket_property_account_id_name_unique" unique ("account_id", "name");`,
    );

    this.addSql(
      `alter table "tickets"."ticket" add column "pipeline_id" uuid null, add column "stage_id" uuid null, add column "closed" boolean not null default false, add column "closed_at" timestamptz(3) null, add column "owner_id" uuid null, add column "owner_first_name" text not null default '', add column "owner_last_name" text not null default '', add column "requester_name" text not null default '', add column "requester_email" text not null default '', add column "source" varchar(10) not null default 'api', add column "source_key" varchar(200) null, add column "properties" jsonb not null default '{}', add column "message_text" text not null default '', add column "search" tsvector generated always as (to_tsvector('simple', "subject" || ' ' || "content" || ' ' || "message_text")) stored null;`,
    );
    // Tickets from before pipelines existed go to a support pipeline of their account, stage New.
    this.addSql(`insert into "tickets"."pipeline" ("id", "account_id", "label", "display_order", "created_at")
      select gen_random_uuid(), "account_id", 'Support pipeline', 0, now() from (select distinct "account_id" from "tickets"."ticket") accounts;`);
    this
      .addSql(`insert into "tickets"."stage" ("id", "account_id", "pipeline_id", "label", "display_order", "state")
      select gen_random_uuid(), p."account_id", p."id", s."label", s."display_order", s."state" from "tickets"."pipeline" p
      cross join (values ('New', 0, 'open'), ('Waiting on contact', 1, 'open'), ('Waiting on us', 2, 'open'), ('Closed', 3, 'closed')) s ("label", "display_order", "state");`);
    this.addSql(`update "tickets"."ticket" t set "pipeline_id" = p."id", "stage_id" = s."id"
      from "tickets"."pipeline" p join "tickets"."stage" s on s."pipeline_id" = p."id" and s."display_order" = 0
      where p."account_id" = t."account_id";`);
    this.addSql(
      `alter table "tickets"."ticket" alter column "pipeline_id" set not null, alter column "stage_id" set not null;`,
    );
    this.addSql(`create index "ticket_search_index" on "tickets"."ticket" using gin ("search");`);
    this.addSql(
      `create unique index "ticket_account_id_source_key_unique" on "tickets"."ticket" ("account_id", "source_key") where "source_key" is not null;`,
    );
    this.addSql(
      `create index "ticket_account_id_company_id_created_at_id_index" on "tickets"."ticket" ("account_id", "company_id", "created_at", "id");`,
    );
    this.addSql(
      `create index "ticket_account_id_requester_contact_id_created_at_id_index" on "tickets"."ticket" ("account_id", "requester_contact_id", "created_at", "id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "tickets"."pipeline" cascade;`);

    this.addSql(`drop table if exists "tickets"."stage" cascade;`);

    this.addSql(`drop table if exists "tickets"."ticket_property" cascade;`);

    this.addSql(`drop index "tickets"."ticket_search_index";`);
    this.addSql(`drop index "tickets"."ticket_account_id_source_key_unique";`);
    this.addSql(`drop index "tickets"."ticket_account_id_company_id_created_at_id_index";`);
    this.addSql(`drop index "tickets"."ticket_account_id_requester_contact_id_created_at_id_index";`);
    this.addSql(
      `alter table "tickets"."ticket" drop column "pipeline_id", drop column "stage_id", drop column "closed", drop column "closed_at", drop column "owner_id", drop column "owner_first_name", drop column "owner_last_name", drop column "requester_name", drop column "requester_email", drop column "source", drop column "source_key", drop column "properties", drop column "message_text", drop column "search";`,
    );
  }
}
