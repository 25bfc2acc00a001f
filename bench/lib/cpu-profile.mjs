// Preloaded with `node --import` into the gateway and the tickets service when run.mjs is given
// --profile. Unlike `--cpu-prof` (which writes only on a clean exit, while Nest ends its processes by
// re-raising SIGTERM) this profiles exactly the load window: the first SIGUSR2 starts the V8 sampling
// profiler, the second writes BENCH_PROFILE_FILE and confirms over stdout.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.BENCH_PROFILE_FILE;
const session = new Session(); // connected on the first signal, so an unprofiled run is unaffected
const post = (method, params = {}) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );

let running = false;
process.on('SIGUSR2', async () => {
  try {
    if (!running) {
      running = true;
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 500 }); // µs; finer sampling slows the process noticeably
      await post('Profiler.start');
      return;
    }
    running = false;
    const { profile } = await post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    process.stdout.write(`\nBENCH_PROFILE_WRITTEN ${file}\n`);
  } catch (error) {
    process.stderr.write(`cpu-profile: ${error}\n`);
  }
});
