import { AppError } from '@helpdesk/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Account } from './account.entity.js';

/** Creating anything for an account that does not exist would leave rows no tenant owns. */
export async function requireAccount(em: EntityManager, accountId: string): Promise<void> {
  if ((await em.count(Account, { id: accountId })) === 0)
    throw new AppError('ACCOUNT_NOT_FOUND', `Account ${accountId} not found`);
}
