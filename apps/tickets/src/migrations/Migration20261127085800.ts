import { Migration } from '@mikro-orm/migrations';

/**
 * Search planning: with the default statistics PostgreSQL tracks only the ~230 most frequent words of
 * the search vector, guesses that any rarer word matches 0.5 % of tickets and walks the newest-first
 * index for it, reading a whole large account for a rare word (0.3–0.6 s on 1M tickets). A larger
 * sample lets it pick the GIN index for rare words (a few ms). Measured in bench/README.md.
 */
export class Migration20261127085800 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "tickets"."ticket" alter column "search" set statistics 1000;`);
    this.addSql(`analyze "tickets"."ticket";`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "tickets"."ticket" alter column "search" set statistics -1;`);
  }
}
