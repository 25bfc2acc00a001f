// The measuring loop of the service and page benchmarks (tickets-list.mjs, portal-list.mjs): a fixed
// number of requests always in flight for a while, every answer checked, and the CPU each process of
// the system spent meanwhile (Linux /proc), so throughput can be explained per process.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  cpuSeconds,
  machineCpu,
  percentile,
  postgresBackendsCpu,
  postgresDelta,
  redisServersCpu,
  round,
} from './processes.mjs';

/**
 * Keeps `concurrency` calls of `request()` in flight for `seconds`. `request` resolves once its answer
 * was checked and throws when it was wrong; a throw counts as an error, not as a latency.
 *
 * `processes` names the pids whose CPU is charged per request (e.g. `{ tickets: 1234 }`); `database`
 * adds the PostgreSQL backends serving it, `redis` the Redis server(s) (shared with whatever else uses
 * them), and `client` is this process (the load generator). `other` is the rest of the machine: other
 * people's work, which makes a cell noisy. `stopped()` ends the loop early (Ctrl-C, a failure).
 */
export async function closedLoop({
  request,
  concurrency,
  seconds,
  processes = {},
  database = null,
  redis = false,
  stopped = () => false,
}) {
  const latencies = [];
  let errors = 0;
  const errorSamples = [];
  const cpuBefore = Object.fromEntries(
    Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)]),
  );
  const pgBefore = database ? postgresBackendsCpu(database) : null;
  const redisBefore = redis ? redisServersCpu() : null;
  const machineBefore = machineCpu();
  const selfBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && !stopped()) {
      const t0 = performance.now();
      try {
        await request();
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(error.message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const self = process.cpuUsage(selfBefore);
  const machineAfter = machineCpu();
  const cpu = {};
  for (const [name, pid] of Object.entries(processes)) {
    const after = cpuSeconds(pid);
    cpu[name] = after === null || cpuBefore[name] === null ? null : after - cpuBefore[name];
  }
  if (database) {
    const pgAfter = postgresBackendsCpu(database);
    cpu.postgres = pgBefore && pgAfter ? postgresDelta(pgBefore, pgAfter) : null;
  }
  if (redis) {
    const redisAfter = redisServersCpu();
    cpu.redis = redisBefore !== null && redisAfter !== null ? redisAfter - redisBefore : null;
  }
  cpu.client = (self.user + self.system) / 1e6;
  const ours = Object.values(cpu).reduce((sum, v) => sum + (v ?? 0), 0);
  latencies.sort((a, b) => a - b);
  const ok = latencies.length;
  return {
    concurrency,
    requests: ok,
    seconds: round(elapsed, 2),
    rps: round(ok / elapsed, 1),
    p50: round(percentile(latencies, 50)),
    p90: round(percentile(latencies, 90)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? null),
    errors,
    errorSamples,
    cpuMicrosPerRequest: ok
      ? Object.fromEntries(
          Object.entries(cpu).map(([k, v]) => [k, v === null ? null : round((v / ok) * 1e6, 0)]),
        )
      : null,
    cpuPercentOfCore: Object.fromEntries(
      Object.entries(cpu).map(([k, v]) => [k, v === null ? null : round((v / elapsed) * 100, 0)]),
    ),
    machine:
      machineBefore && machineAfter
        ? {
            busyPercentOfCore: round(((machineAfter.busy - machineBefore.busy) / elapsed) * 100, 0),
            otherPercentOfCore: round(
              Math.max(0, (machineAfter.busy - machineBefore.busy - ours) / elapsed) * 100,
              0,
            ),
          }
        : null,
    loadAverage1m: round(os.loadavg()[0], 2),
  };
}
