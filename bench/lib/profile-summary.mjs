// Summarises a .cpuprofile: where the process spent its time, by package (self and inclusive) and by
// function (self), as % of its busy (non-idle) samples. Usable on its own:
//   node bench/lib/profile-summary.mjs <file.cpuprofile> [top] [CPU µs per request, to scale %s by]
// Caveat: V8 samples on wall-clock time. A process descheduled inside a syscall (a socket write that
// wakes the receiver on a busy 2-core machine) keeps being sampled in that native frame, so
// writev/writeBuffer look costlier than the CPU they burn. /proc CPU figures in run.mjs are the CPU truth.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Which package or part of the repo a script URL belongs to. */
export function packageOf(url, functionName) {
  if (!url) {
    // V8's own pseudo-frames: (garbage collector), (idle), (program), (root); natives have no URL.
    return functionName.startsWith('(') ? functionName : '(native)';
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + 14).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const repo = url.match(/\/(apps|libs)\/([^/]+)\//);
  if (repo) return `${repo[1]}/${repo[2]}`;
  return url;
}

export function summarize(profile, top = 25) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  let total = 0; // µs of busy samples
  const selfByPackage = new Map();
  const inclusiveByPackage = new Map();
  const selfByFunction = new Map();
  const selfByCaller = new Map();
  const add = (map, key, value) => map.set(key, (map.get(key) ?? 0) + value);
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample's weight is the time until the next one.
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i]);
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') continue;
    total += delta;
    const pkg = packageOf(frame.url, frame.functionName);
    add(selfByPackage, pkg, delta);
    const where = frame.url
      ? `${frame.url.replace(/^.*\/(node_modules|apps|libs)\//, '$1/')}:${frame.lineNumber + 1}`
      : '';
    add(selfByFunction, `${frame.functionName || '(anonymous)'} ${where}`.trim(), delta);
    const seen = new Set();
    let caller = null; // the first package on the stack that is neither Node's own code nor native
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id).callFrame;
      if (f.functionName === '(root)') continue;
      const p = packageOf(f.url, f.functionName);
      seen.add(p);
      if (caller === null && f.url && !p.startsWith('node:')) caller = p;
    }
    add(selfByCaller, pkg.startsWith('(') && pkg !== '(native)' ? pkg : (caller ?? pkg), delta);
    for (const p of seen) add(inclusiveByPackage, p, delta);
  }
  const pct = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, pct: Math.round((us / total) * 1000) / 10 }));
  return {
    busyMs: Math.round(total / 1000),
    wallMs: Math.round((profile.endTime - profile.startTime) / 1000),
    selfByPackage: pct(selfByPackage),
    selfByCaller: pct(selfByCaller),
    inclusiveByPackage: pct(inclusiveByPackage),
    selfByFunction: pct(selfByFunction),
  };
}

/** With `microsPerRequest` (the process's CPU per request without the profiler), lines also show ≈µs/req. */
export function formatSummary(title, summary, top = 15, microsPerRequest = 0) {
  const lines = [
    `${title}\n  (${summary.busyMs} ms busy of ${summary.wallMs} ms; % of busy samples${microsPerRequest ? `; ≈µs/req scales them to ${microsPerRequest} µs CPU/request measured without the profiler` : ''})`,
  ];
  const perRequest = (pct) =>
    microsPerRequest ? `${String(Math.round((pct / 100) * microsPerRequest)).padStart(4)} µs/req  ` : '';
  const column = (label, rows) => {
    lines.push(`  ${label}`);
    for (const row of rows.slice(0, top))
      lines.push(`    ${String(row.pct).padStart(5)}%  ${perRequest(row.pct)}${row.name}`);
  };
  column('self time by package', summary.selfByPackage);
  column(
    'self time charged to the package that called into Node or native code (socket writes, hashing, …)',
    summary.selfByCaller,
  );
  column('inclusive time by package (on the stack)', summary.inclusiveByPackage);
  column('self time by function', summary.selfByFunction);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // node profile-summary.mjs <file> [top] [requests answered during the profile]
  const top = Number(process.argv[3] ?? 25);
  console.log(
    formatSummary(
      process.argv[2],
      summarize(JSON.parse(readFileSync(process.argv[2], 'utf8')), top),
      top,
      Number(process.argv[4] ?? 0),
    ),
  );
}
