import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot, runScript, ServiceProcess } from './processes.js';

/** What identity's demo seed prints: the account, the demo contacts by email, the agent. */
export interface IdentityDemo {
  accountId: string;
  contacts: Record<
    string,
    { id: string; email: string; firstName: string; lastName: string; companyId: string | null }
  >;
  agent: { id: string; email: string; firstName: string; lastName: string };
}

type OtherService = ServiceProcess['name'];

/**
 * The real services a service under test talks to, as processes from their build output: their
 * migrations applied to the test's database, identity's demo data seeded, all started on `env`
 * (the test's NATS, database, queue prefix…). `buildHint` says how to build them when they are not.
 */
export async function startOtherServices<N extends OtherService>(
  names: readonly N[],
  env: NodeJS.ProcessEnv,
  buildHint: string,
): Promise<{ demo: IdentityDemo; processes: Record<N, ServiceProcess>; stop(): Promise<void> }> {
  for (const name of names)
    if (!existsSync(join(repositoryRoot, `apps/${name}/dist/main.js`)))
      throw new Error(`apps/${name} is not built: run ${buildHint}`);
  for (const name of names) await runScript(`apps/${name}/dist/migrate.js`, [], env);
  const seeded = await runScript('apps/identity/dist/seed.js', [], env);
  const demo = JSON.parse(seeded.trim().split('\n').at(-1)!) as IdentityDemo;
  const processes = Object.fromEntries(names.map((name) => [name, new ServiceProcess(name, env)])) as Record<
    N,
    ServiceProcess
  >;
  await Promise.all(Object.values<ServiceProcess>(processes).map((service) => service.start()));
  return {
    demo,
    processes,
    stop: async () => {
      await Promise.all(Object.values<ServiceProcess>(processes).map((service) => service.stop()));
    },
  };
}
