import type { RpcClient } from '@helpdesk/kit';
import { withDatabase } from '@helpdesk/testing';
import { randomUUID } from 'node:crypto';

// Accounts and internal users go straight into the run's own database: identity has no subject that
// creates an account or an internal user (the demo seed and the create-account command make them,
// the latter with an argon2 hash per user). Everything else a test needs goes through the services'
// own subjects.

export interface NewInternalUser {
  like: 'admin@demo.test' | 'agent@demo.test';
  email: string;
  accountId?: string;
  permissions?: string[];
  name?: string;
}

/**
 * A copy of a demo user's row (`like`) under a new email address: the password hash comes along, so
 * the user logs in with the demo password and no argon2 run is needed. The account, the permissions
 * and the name are the demo user's unless given. Answers the new user's id.
 */
export async function addInternalUser(databaseUrl: string, user: NewInternalUser): Promise<string> {
  const id = randomUUID();
  const inserted = await withDatabase(databaseUrl, (db) =>
    db.query(
      `insert into identity.internal_user (id, account_id, email, name, password_hash, permissions, created_at)
       select $1, coalesce($2::uuid, account_id), $3, coalesce($4, name), password_hash,
         coalesce($5::text[], permissions), now()
         from identity.internal_user where email = $6`,
      [id, user.accountId ?? null, user.email, user.name ?? null, user.permissions ?? null, user.like],
    ),
  );
  if (inserted.rowCount !== 1) throw new Error(`no demo user ${user.like} to copy`);
  return id;
}

/**
 * Another account, as a new customer of the help desk would start: its account row, a user copied
 * from a demo user (see addInternalUser), and its portal switched on at `slug` on its own host (the
 * primary domain, the only one so far), with no destination yet. Answers the ids the records made
 * after it name.
 */
export async function newAccount(
  { client, databaseUrl }: { client: RpcClient; databaseUrl: string },
  account: {
    name: string;
    user: Omit<NewInternalUser, 'accountId'>;
    hostname: string;
    portal: { name: string; slug: string };
  },
): Promise<{ accountId: string; userId: string; domainId: string }> {
  const accountId = randomUUID();
  await withDatabase(databaseUrl, (db) =>
    db.query('insert into identity.account (id, name, created_at) values ($1, $2, now())', [
      accountId,
      account.name,
    ]),
  );
  const userId = await addInternalUser(databaseUrl, { ...account.user, accountId });
  const portal = await client.send('identity.domains.add', {
    accountId,
    hostname: account.hostname,
    primary: true,
  });
  await client.send('identity.portal.update', {
    accountId,
    actorUserId: userId,
    section: 'general',
    settings: { ...account.portal, enabled: true, destination: null },
  });
  return { accountId, userId, domainId: portal.domains[0].id };
}
