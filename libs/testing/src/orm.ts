import { MikroORM, type Options } from '@mikro-orm/postgresql';

/**
 * The SQL that would still be needed to make the database match the entities after all migrations
 * ran: empty when the checked-in migrations and the entity definitions agree.
 */
export async function pendingSchemaChanges(config: Options): Promise<string> {
  const orm = await MikroORM.init(config);
  try {
    return (await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })).trim();
  } finally {
    await orm.close(true);
  }
}
