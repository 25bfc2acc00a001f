import { describe, expect, it, jest } from '@jest/globals';
import type { EventName, EventPayload, ResolvedPortal, ViewerScope } from '@helpdesk/contracts';
import type { RpcClient } from '@helpdesk/kit';
import { PortalContext, SCOPE_CACHE_TTL_MS } from './portal-context.js';
import type { PortalEvents } from './portal-events.js';
import type { PortalResolver } from './portal-resolver.js';

const accountId = '00000000-0000-4000-8000-00000000000a';
const otherAccountId = '00000000-0000-4000-8000-00000000000b';
const alice = '00000000-0000-4000-8000-0000000000a1';
const bob = '00000000-0000-4000-8000-0000000000b0';
const occurredAt = '2026-11-28T00:00:00.000Z';

/** A PortalContext whose identity answers from `companyOf` and whose events the test fires. */
function contextWith(companyOf: Map<string, string | null>) {
  const handlers = new Map<EventName, ((payload: never) => void)[]>();
  const events = {
    on: (event: EventName, handler: (payload: never) => void) =>
      handlers.set(event, [...(handlers.get(event) ?? []), handler]),
  } as unknown as PortalEvents;
  const send = jest.fn(
    (_subject: string, { contactId }: { accountId: string; contactId: string }): Promise<ViewerScope> =>
      Promise.resolve({
        contactId,
        companyId: companyOf.get(contactId) ?? null,
        seesCompanyTickets: companyOf.get(contactId) != null,
      }),
  );
  const context = new PortalContext({ send } as unknown as RpcClient, {} as PortalResolver, events);
  const fire = <E extends EventName>(event: E, payload: EventPayload<E>) =>
    handlers.get(event)?.forEach((handler) => handler(payload as never));
  const scopeOf = (contactId: string, now = 0, portalAccount = accountId) =>
    context.scopeOf({ accountId: portalAccount } as ResolvedPortal, { contactId } as never, now);
  return { send, fire, scopeOf };
}

describe('PortalContext.scopeOf', () => {
  it('asks identity once per contact, then reuses the answer until it expires', async () => {
    const { send, scopeOf } = contextWith(new Map([[alice, 'acme']]));
    expect(await scopeOf(alice)).toMatchObject({ companyId: 'acme', seesCompanyTickets: true });
    await scopeOf(alice, SCOPE_CACHE_TTL_MS - 1);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith('identity.viewer.scope', { accountId, contactId: alice });
    await scopeOf(alice, SCOPE_CACHE_TTL_MS);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('keeps contacts and accounts apart', async () => {
    const { send, scopeOf } = contextWith(new Map([[alice, 'acme']]));
    expect((await scopeOf(alice)).companyId).toBe('acme');
    expect((await scopeOf(bob)).companyId).toBeNull();
    await scopeOf(alice, 0, otherAccountId);
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('asks again for a contact that contact.updated names, and only for them', async () => {
    const companies = new Map([
      [alice, 'acme'],
      [bob, 'acme'],
    ]);
    const { send, fire, scopeOf } = contextWith(companies);
    await scopeOf(alice);
    await scopeOf(bob);
    companies.set(alice, 'globex');
    fire('contact.updated', { accountId, contactId: alice, occurredAt });
    expect((await scopeOf(alice, 1)).companyId).toBe('globex');
    await scopeOf(bob, 1);
    expect(send).toHaveBeenCalledTimes(3);
    // The same contact id in another account is another contact.
    fire('contact.updated', { accountId: otherAccountId, contactId: bob, occurredAt });
    await scopeOf(bob, 2);
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('asks again for everyone after portal.updated (the permissions may have changed)', async () => {
    const { send, fire, scopeOf } = contextWith(new Map([[alice, 'acme']]));
    await scopeOf(alice);
    await scopeOf(bob);
    fire('portal.updated', { accountId, portalId: accountId, section: 'permissions', occurredAt });
    await scopeOf(alice, 1);
    await scopeOf(bob, 1);
    expect(send).toHaveBeenCalledTimes(4);
  });

  it('does not keep a failure: the next page asks identity again', async () => {
    const { send, scopeOf } = contextWith(new Map());
    send.mockRejectedValueOnce(new Error('identity is away'));
    await expect(scopeOf(alice)).rejects.toThrow('identity is away');
    expect(await scopeOf(alice, 1)).toMatchObject({ contactId: alice });
    expect(send).toHaveBeenCalledTimes(2);
  });
});
