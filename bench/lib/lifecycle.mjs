// How a benchmark run ends, the same for every script that starts its own processes: at the end, on
// a failure (keeping the processes' logs and saying where) and on Ctrl-C / SIGTERM, every process is
// stopped, the script's own clients closed, its Redis keys and whatever else it made removed;
// whatever is left is killed when Node exits.
import { rmSync } from 'node:fs';
import { ProcessGroup } from './processes.mjs';

/** The Node processes first (they drain over NATS), nats-server once they are gone. */
export const NODE_THEN_NATS = [(name) => name !== 'nats-server', (name) => name === 'nats-server'];

/**
 * @param {object} run
 * @param {string} run.tmp the run's temporary directory (the processes' logs, NATS' store)
 * @param {() => Promise<void>} [run.closeClients] closes the script's own clients, before the processes stop
 * @param {() => Promise<void>} [run.removeKeys] removes the run's Redis keys, once the processes are gone
 * @param {() => Promise<void>} [run.removeData] removes what else the run made (a database), after the keys
 * @param {((name: string) => boolean)[]} [run.stopOrder] `ProcessGroup.stopAll`'s order
 * @param {boolean} [run.keepLogs] keep the logs after a successful run too
 */
export function benchRun({
  tmp,
  closeClients,
  removeKeys,
  removeData,
  stopOrder = NODE_THEN_NATS,
  keepLogs = false,
}) {
  let failing = false;
  const procs = new ProcessGroup(tmp, (error) => fail(error));

  async function stopAll({ keepLogs: keep = keepLogs } = {}) {
    await closeClients?.();
    await procs.stopAll(stopOrder);
    await removeKeys?.();
    await removeData?.();
    if (keep) console.error(`Logs of the processes are in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }

  async function fail(error) {
    if (failing) return;
    failing = true;
    console.error(`\nBenchmark failed: ${error?.stack ?? error}`);
    await stopAll({ keepLogs: true }).catch((e) => console.error(`cleanup: ${e.message}`));
    process.exit(1);
  }

  process.on('SIGINT', () => {
    if (failing) return;
    failing = true;
    console.error('\nInterrupted; stopping everything…');
    stopAll().finally(() => process.exit(130));
  });
  process.on('SIGTERM', () => process.emit('SIGINT'));
  process.on('unhandledRejection', (error) => fail(error));
  process.on('uncaughtException', (error) => fail(error));
  process.on('exit', () => procs.killAllNow());

  return {
    procs,
    stopAll,
    fail,
    /** Whether the run is ending (failed or interrupted): loads stop waiting for more. */
    get failing() {
      return failing;
    },
  };
}

/**
 * Removes the run's Redis keys: everything under `prefix` (the REDIS_PREFIX the run started the
 * system with: queues, sessions, rate-limit counters); nothing else is touched. A failure is
 * reported, not thrown.
 */
export async function removeRedisKeys(redisUrl, prefix) {
  const pattern = `${prefix}:*`;
  try {
    const { default: Redis } = await import('ioredis');
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    await redis.connect();
    try {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        if (found.length) await redis.del(...found);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  } catch (error) {
    console.error(`Could not remove the Redis keys ${pattern} (${error.message}); remove them by hand.`);
  }
}
