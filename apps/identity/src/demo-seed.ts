import { MikroORM } from '@mikro-orm/postgresql';
import { Account } from './accounts/account.entity.js';
import { InternalUser } from './users/internal-user.entity.js';
import { hashPassword } from './users/passwords.js';

export const DEMO_PASSWORD = 'demo-password';

export interface IdentityDemo {
  accountId: string;
  created: boolean;
}

/** The SPEC's demo account and its internal users; does nothing when the account already exists. */
export async function seedIdentityDemo(orm: MikroORM): Promise<IdentityDemo> {
  const em = orm.em.fork();
  const existing = await em.findOne(Account, { name: 'Demo' });
  if (existing) return { accountId: existing.id, created: false };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const account = em.create(Account, { name: 'Demo' });
  em.create(InternalUser, {
    accountId: account.id,
    email: 'admin@demo.test',
    name: 'Demo Admin',
    passwordHash,
    permissions: ['portal.settings', 'tickets', 'inbox', 'forms', 'contacts'],
  });
  em.create(InternalUser, {
    accountId: account.id,
    email: 'agent@demo.test',
    name: 'Sam Agent',
    passwordHash,
    permissions: ['tickets', 'inbox'],
  });
  await em.flush();
  return { accountId: account.id, created: true };
}
