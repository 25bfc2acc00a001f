import { Email, NewPassword, Permission } from '@helpdesk/contracts';
import { AppError, parseOrThrow } from '@helpdesk/kit';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { assertAcceptablePassword } from '../logins/password-policy.js';
import { InternalUser } from '../users/internal-user.entity.js';
import { hashPassword } from '../users/passwords.js';
import { Account } from './account.entity.js';

export const NewAccount = z.object({
  accountName: z.string().trim().min(1, 'is required').max(200),
  adminEmail: Email,
  adminName: z.string().trim().min(1, 'is required').max(200),
  password: NewPassword,
});
export type NewAccount = z.input<typeof NewAccount>;

/**
 * A new tenant and its first admin, who holds every permission and sets up the rest in the admin area
 * (inboxes, forms, the portal). What the other services keep per account is made when first needed
 * (tickets' support pipeline, the portal's defaults), so identity's two rows are the whole start.
 */
export async function createAccount(
  em: EntityManager,
  input: NewAccount,
): Promise<{ accountId: string; adminId: string }> {
  const { accountName, adminEmail, adminName, password } = parseOrThrow(NewAccount, input);
  assertAcceptablePassword(password);
  const passwordHash = await hashPassword(password);
  return em.transactional(async (tx) => {
    // Emails name exactly one internal user across accounts (the admin login asks for no account).
    if (await tx.count(InternalUser, { email: adminEmail }))
      throw new AppError('EMAIL_TAKEN', `${adminEmail} is already an internal user's email`, {
        adminEmail: ['is already in use'],
      });
    const account = tx.create(Account, { name: accountName });
    const admin = tx.create(InternalUser, {
      accountId: account.id,
      email: adminEmail,
      name: adminName,
      passwordHash,
      permissions: [...Permission.options],
    });
    return { accountId: account.id, adminId: admin.id };
  });
}
