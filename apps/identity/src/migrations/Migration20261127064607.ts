import { Migration } from '@mikro-orm/migrations';

export class Migration20261127064607 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema if not exists "identity";`);
    this.addSql(
      `create table "identity"."account" ("id" uuid not null, "name" varchar(200) not null, "created_at" timestamptz(3) not null, constraint "account_pkey" primary key ("id"));`,
    );

    this.addSql(
      `create table "identity"."internal_user" ("id" uuid not null, "account_id" uuid not null, "email" varchar(254) not null, "name" varchar(200) not null, "password_hash" text not null, "permissions" text[] not null, "created_at" timestamptz(3) not null, constraint "internal_user_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "internal_user_account_id_index" on "identity"."internal_user" ("account_id");`,
    );
    this.addSql(
      `alter table "identity"."internal_user" add constraint "internal_user_email_unique" unique ("email");`,
    );
  }
}
