// Preloaded with `node --import` into the tickets service by tickets-export.mjs --memory-detail: every
// 100 ms appends the process's own view of its memory (process.memoryUsage(), bytes) to
// BENCH_MEMORY_FILE as one line `ms rss heapTotal heapUsed external arrayBuffers`, so the resident
// memory sampled from /proc can be split into the V8 heap and memory outside it.
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  setInterval(() => {
    const m = process.memoryUsage();
    appendFileSync(
      file,
      `${Date.now()} ${m.rss} ${m.heapTotal} ${m.heapUsed} ${m.external} ${m.arrayBuffers}\n`,
    );
  }, 100).unref();
}
