import { Migration } from '@mikro-orm/migrations';

export class Migration20261127080716 extends Migration {
  override async up(): Promise<void> {
    // Trigram operator classes for the subject index (a trusted extension: the database owner may create it).
    this.addSql(`create extension if not exists pg_trgm;`);
    this.addSql(
      `create index "ticket_subject_trgm_index" on "tickets"."ticket" using gin ("subject" gin_trgm_ops);`,
    );
    this.addSql(
      `create index "ticket_account_id_last_activity_at_id_index" on "tickets"."ticket" ("account_id", "last_activity_at", "id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "tickets"."ticket_subject_trgm_index";`);
    this.addSql(`drop index "tickets"."ticket_account_id_last_activity_at_id_index";`);
  }
}
