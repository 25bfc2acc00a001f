import { Migration } from '@mikro-orm/migrations';

export class Migration20261127071536 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "identity"."access_group" ("id" uuid not null, "account_id" uuid not null, "name" varchar(100) not null, "created_at" timestamptz(3) not null, constraint "access_group_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "identity"."access_group" add constraint "access_group_account_id_name_unique" unique ("account_id", "name");`,
    );

    this.addSql(
      `create table "identity"."access_group_member" ("group_id" uuid not null, "contact_id" uuid not null, "account_id" uuid not null, "invitation_status" varchar(10) not null default 'pending', "invited_at" timestamptz(3) null, "added_at" timestamptz(3) not null, constraint "access_group_member_pkey" primary key ("group_id", "contact_id"));`,
    );
    this.addSql(
      `create index "access_group_member_account_id_contact_id_index" on "identity"."access_group_member" ("account_id", "contact_id");`,
    );

    this.addSql(
      `create table "identity"."company" ("id" uuid not null, "account_id" uuid not null, "name" varchar(200) not null, "domain" varchar(253) null, "created_at" timestamptz(3) not null, constraint "company_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "company_account_id_name_index" on "identity"."company" ("account_id", "name");`,
    );

    this.addSql(
      `create table "identity"."consent_record" ("id" uuid not null, "account_id" uuid not null, "contact_id" uuid not null, "domain_id" uuid not null, "notice_text" text not null, "checkbox_text" text not null, "consented_at" timestamptz(3) not null, constraint "consent_record_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "consent_record_account_id_contact_id_index" on "identity"."consent_record" ("account_id", "contact_id");`,
    );

    this.addSql(
      `create table "identity"."contact" ("id" uuid not null, "account_id" uuid not null, "email" varchar(254) not null, "first_name" varchar(100) not null default '', "last_name" varchar(100) not null default '', "primary_company_id" uuid null, "properties" jsonb not null, "created_at" timestamptz(3) not null, "updated_at" timestamptz(3) not null, constraint "contact_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "contact_account_id_primary_company_id_index" on "identity"."contact" ("account_id", "primary_company_id");`,
    );
    this.addSql(
      `alter table "identity"."contact" add constraint "contact_account_id_email_unique" unique ("account_id", "email");`,
    );

    this.addSql(
      `create table "identity"."contact_login" ("contact_id" uuid not null, "account_id" uuid not null, "password_hash" text null, "email_verified_at" timestamptz(3) null, "password_changed_at" timestamptz(3) null, "created_at" timestamptz(3) not null, constraint "contact_login_pkey" primary key ("contact_id"));`,
    );

    this.addSql(
      `create table "identity"."contact_property" ("id" uuid not null, "account_id" uuid not null, "name" varchar(100) not null, "label" varchar(100) not null, "type" varchar(20) not null, "options" jsonb null, "created_at" timestamptz(3) not null, constraint "contact_property_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "identity"."contact_property" add constraint "contact_property_account_id_name_unique" unique ("account_id", "name");`,
    );

    this.addSql(
      `create table "identity"."domain" ("id" uuid not null, "account_id" uuid not null, "hostname" varchar(253) not null, "language" varchar(5) not null default 'en', "primary" boolean not null default false, "created_at" timestamptz(3) not null, constraint "domain_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "domain_account_id_index" on "identity"."domain" ("account_id");`);
    this.addSql(
      `alter table "identity"."domain" add constraint "domain_hostname_unique" unique ("hostname");`,
    );

    this.addSql(
      `create table "identity"."login_token" ("id" uuid not null, "account_id" uuid not null, "contact_id" uuid not null, "purpose" varchar(20) not null, "token_hash" varchar(64) not null, "expires_at" timestamptz(3) not null, "used_at" timestamptz(3) null, "pending_password_hash" text null, "created_at" timestamptz(3) not null, constraint "login_token_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "login_token_account_id_contact_id_purpose_index" on "identity"."login_token" ("account_id", "contact_id", "purpose");`,
    );
    this.addSql(
      `alter table "identity"."login_token" add constraint "login_token_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(
      `create table "identity"."portal" ("id" uuid not null, "account_id" uuid not null, "slug" varchar(60) not null, "general" jsonb not null, "permissions" jsonb not null, "support_form" jsonb not null, "theme" jsonb not null, "ticket_display" jsonb not null, "ticket_actions" jsonb not null, "access" jsonb not null, "oidc_client_secret" text null, "consent" jsonb not null, "system_pages" jsonb not null, "version" int not null default 1, "updated_at" timestamptz(3) not null, constraint "portal_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "identity"."portal" add constraint "portal_account_id_unique" unique ("account_id");`,
    );

    this.addSql(
      `create table "identity"."portal_audit" ("id" uuid not null, "account_id" uuid not null, "portal_id" uuid not null, "actor_user_id" uuid null, "section" varchar(40) not null, "before" jsonb null, "after" jsonb not null, "at" timestamptz(3) not null, constraint "portal_audit_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "portal_audit_account_id_at_id_index" on "identity"."portal_audit" ("account_id", "at", "id");`,
    );

    this.addSql(
      `create table "identity"."sso_link" ("id" uuid not null, "account_id" uuid not null, "contact_id" uuid not null, "issuer" varchar(500) not null, "subject" varchar(255) not null, "linked_at" timestamptz(3) not null, constraint "sso_link_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "identity"."sso_link" add constraint "sso_link_account_id_issuer_subject_unique" unique ("account_id", "issuer", "subject");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "identity"."access_group" cascade;`);

    this.addSql(`drop table if exists "identity"."access_group_member" cascade;`);

    this.addSql(`drop table if exists "identity"."company" cascade;`);

    this.addSql(`drop table if exists "identity"."consent_record" cascade;`);

    this.addSql(`drop table if exists "identity"."contact" cascade;`);

    this.addSql(`drop table if exists "identity"."contact_login" cascade;`);

    this.addSql(`drop table if exists "identity"."contact_property" cascade;`);

    this.addSql(`drop table if exists "identity"."domain" cascade;`);

    this.addSql(`drop table if exists "identity"."login_token" cascade;`);

    this.addSql(`drop table if exists "identity"."portal" cascade;`);

    this.addSql(`drop table if exists "identity"."portal_audit" cascade;`);

    this.addSql(`drop table if exists "identity"."sso_link" cascade;`);
  }
}
