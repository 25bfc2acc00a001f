import { z } from 'zod';
import { AccountScoped, Id, PingRequest, PingResponse } from './common.js';
import { rpc } from './rpc.js';

/** What an internal user (admin, agent) may do; checked by the gateway on every admin route. */
export const Permission = z.enum(['portal.settings', 'tickets', 'inbox', 'forms', 'contacts']);
export type Permission = z.infer<typeof Permission>;

export const InternalUserView = z.object({
  id: Id,
  accountId: Id,
  email: z.string(),
  name: z.string(),
  permissions: z.array(Permission),
});
export type InternalUserView = z.infer<typeof InternalUserView>;

export const AuthenticateUserRequest = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254)
    .pipe(z.email({ message: 'must be an email address' })),
  password: z.string().min(1, 'is required').max(1024),
});
export type AuthenticateUserRequest = z.input<typeof AuthenticateUserRequest>;

export const GetUserRequest = AccountScoped.extend({ id: Id });

export const IdentityRpc = {
  'identity.ping': rpc(PingRequest, PingResponse),
  'identity.users.authenticate': rpc(AuthenticateUserRequest, InternalUserView),
  'identity.users.get': rpc(GetUserRequest, InternalUserView),
};
