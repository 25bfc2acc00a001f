import type { InternalUserView, RpcPayload } from '@helpdesk/contracts';
import { AppError } from '@helpdesk/kit';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { InternalUser } from './internal-user.entity.js';
import { burnPasswordCheck, verifyPassword } from './passwords.js';

export const toUserView = (user: InternalUser): InternalUserView => ({
  id: user.id,
  accountId: user.accountId,
  email: user.email,
  name: user.name,
  permissions: user.permissions,
});

@Injectable()
export class UsersService {
  constructor(private readonly em: EntityManager) {}

  /** Same answer and similar time whether the email is unknown or the password wrong. */
  async authenticate({
    email,
    password,
  }: RpcPayload<'identity.users.authenticate'>): Promise<InternalUserView> {
    const user = await this.em.findOne(InternalUser, { email }, { fields: ['*', 'passwordHash'] as never });
    const valid = user
      ? await verifyPassword(user.passwordHash, password)
      : (await burnPasswordCheck(password), false);
    if (!user || !valid) throw new AppError('INVALID_CREDENTIALS', 'Email or password is incorrect');
    return toUserView(user);
  }

  async get({ accountId, id }: RpcPayload<'identity.users.get'>): Promise<InternalUserView> {
    const user = await this.em.findOne(InternalUser, { id, accountId });
    if (!user) throw new AppError('USER_NOT_FOUND', `User ${id} not found`);
    return toUserView(user);
  }

  async list({ accountId }: RpcPayload<'identity.users.list'>): Promise<InternalUserView[]> {
    const users = await this.em.find(InternalUser, { accountId }, { orderBy: { name: 'asc', id: 'asc' } });
    return users.map(toUserView);
  }
}
