// npm run bench  (after npm run build and npm run generate --workspace bench)
//
// Issue 9's benchmarks end to end: the scripts below one after another, each starting and stopping
// its own processes as it does when run alone, then one table of every figure beside its goal and
// baseline.
//
//   1. portal-list.mjs, one process of each service and gateway: the portal's list as HTML and as
//      JSON (company view, 200,000 tickets), each beside the baseline of the same run and beside
//      the baseline split over NATS as the system splits it (the floor of the shape), searches for
//      a rare and a common word, the ticket page, logins;
//   2. portal-list.mjs again with two processes of each (the same cells but the logins);
//   3. tickets-export.mjs: the CSV export of 1M rows;
//   4. forms-submit.mjs: accepted submissions per second, and submission → ticket.
//
// The soak (soak.mjs, 30 minutes) is not part of it: `npm run bench:soak --workspace bench`.
// Writes bench/results/suite-<timestamp>.json (the table's cells, and where each script's full results
// are: bench/results/suite-<timestamp>-<step>.json) and prints the table as markdown.
//
// Options (for trying it out, everything shorter): --duration=10 --warmup=3 (per cell)
//          --concurrency=32  --replicas=1,2  --export-scopes=all --export-runs=3
//          --login-contacts=200 --steps=portal,export,forms (a subset) --label=TEXT
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, fileStamp, writeResults } from './lib/common.mjs';

const arg = (name, fallback) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const options = {
  duration: Number(arg('duration', 10)),
  warmup: Number(arg('warmup', 3)),
  concurrency: Number(arg('concurrency', 32)),
  replicas: arg('replicas', '1,2').split(',').map(Number),
  exportScopes: arg('export-scopes', 'all'),
  exportRuns: Number(arg('export-runs', 3)),
  loginContacts: Number(arg('login-contacts', 200)),
  steps: arg('steps', 'portal,export,forms').split(','),
  label: arg('label', null),
};
const stamp = fileStamp();
const resultFileOf = (step) => join(benchDir, 'results', `suite-${stamp}-${step}.json`);

// ---------------------------------------------------------------------------------------------
// The steps: each script as a child process, its output shown as it comes
// ---------------------------------------------------------------------------------------------
let current = null;
// Ctrl-C reaches the child too (same process group): it stops its processes, then this ends with it.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => current?.kill('SIGTERM'));

/** Runs `node bench/<script> ...args`; resolves with its results (BENCH_RESULT_FILE), exits when it fails. */
async function step(name, script, args) {
  const file = resultFileOf(name);
  console.log(`\n=== ${name}: node bench/${script} ${args.join(' ')}\n`);
  const code = await new Promise((resolve) => {
    current = spawn(process.execPath, [join(benchDir, script), ...args], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_RESULT_FILE: file },
    });
    current.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
  });
  current = null;
  if (code !== 0) {
    console.error(`\n${script} failed (exit ${code}); the suite stops here.`);
    process.exit(code);
  }
  return { file, results: JSON.parse(readFileSync(file, 'utf8')) };
}

const common = [`--duration=${options.duration}`, `--warmup=${options.warmup}`];
const portalCases = [
  'html-company',
  'baseline-html-company',
  'floor-html-company',
  'json-company',
  'baseline-json-company',
  'floor-json-company',
  'html-search-rare',
  'html-search-common',
  'json-search-rare',
  'json-search-common',
  'html-detail',
];
const steps = {};
if (options.steps.includes('portal'))
  for (const replicas of options.replicas)
    steps[`portal-${replicas}`] = await step(`portal-${replicas}`, 'portal-list.mjs', [
      ...common,
      `--concurrency=${options.concurrency}`,
      `--replicas=${replicas}`,
      // Logins once, in the first portal run (one process of each by default).
      `--cases=${[...portalCases, ...(replicas === options.replicas[0] ? ['login'] : [])].join(',')}`,
      `--login-contacts=${Math.max(options.loginContacts, options.concurrency)}`,
      `--label=suite ${stamp}`,
    ]);
if (options.steps.includes('export'))
  steps.export = await step('export', 'tickets-export.mjs', [
    `--scopes=${options.exportScopes}`,
    `--runs=${options.exportRuns}`,
    '--no-explain',
    '--no-floor',
    `--label=suite ${stamp}`,
  ]);
if (options.steps.includes('forms'))
  steps.forms = await step('forms', 'forms-submit.mjs', [
    ...common,
    `--connections=${options.concurrency}`,
    `--label=suite ${stamp}`,
  ]);

// ---------------------------------------------------------------------------------------------
// The table: each figure beside its goal, and the list beside its baseline
// ---------------------------------------------------------------------------------------------
const cells = [];
const verdict = (checks) => (checks.length === 0 ? '—' : checks.every(Boolean) ? 'met' : 'missed');
const fmt = (value) => (typeof value === 'number' ? value.toLocaleString('en') : String(value));

for (const replicas of options.replicas) {
  const portal = steps[`portal-${replicas}`]?.results;
  if (!portal) continue;
  const run = (name) => portal.runs.find((r) => r.case === name && r.concurrency === options.concurrency);
  const caseOf = (name) => portal.cases.find((c) => c.name === name);
  const figures = [
    ['html-company', 'Portal list, HTML, company view (200,000 tickets)'],
    ['json-company', 'Portal list, JSON (the list page as JSON), company view'],
    ['html-search-rare', 'Search, rare word `narwhal`, HTML page'],
    ['html-search-common', 'Search, common word `the`, HTML page'],
    ['json-search-rare', 'Search, rare word `narwhal`, JSON'],
    ['json-search-common', 'Search, common word `the`, JSON'],
    ['html-detail', 'Ticket detail page'],
    [
      'login',
      `Logins (portal form, limiter on; ${portal.argon2?.type} m=${portal.argon2?.memoryKiB} KiB, t=${portal.argon2?.timeCost}, p=${portal.argon2?.parallelism})`,
    ],
  ];
  for (const [name, figure] of figures) {
    const r = run(name);
    if (!r) continue;
    const c = caseOf(name);
    const ratio = portal.ratios.find((x) => x.case === name && x.concurrency === options.concurrency);
    const floor = ratio?.floorRps ? run(`floor-${name}`) : null;
    const goals = [...(c.goalMs ? [`p99 ≤ ${c.goalMs} ms`] : []), ...(ratio ? ['ratio ≥ 0.5'] : [])];
    cells.push({
      figure,
      replicas,
      value: `${fmt(r.rps)} ${name === 'login' ? 'logins' : 'req'}/s, p50 ${r.p50} / p99 ${r.p99} ms at ${options.concurrency} in flight`,
      goal: goals.join(', ') || '— (reported)',
      verdict: verdict([...(c.goalMs ? [r.p99 <= c.goalMs] : []), ...(ratio ? [ratio.ratio >= 0.5] : [])]),
      baseline: ratio ? `${fmt(ratio.baselineRps)} req/s, p99 ${ratio.baselineP99} ms` : '',
      ratio: ratio ? String(ratio.ratio) : '',
      raw: { run: r, ratio },
    });
    // The same list through the shape's floor (edge + NATS + service without frameworks): how much
    // of the ratio the shape itself leaves, on this machine.
    if (floor)
      cells.push({
        figure: `…the same through the floor of the shape (baseline-server.mjs split over NATS)`,
        replicas,
        value: `${fmt(floor.rps)} req/s, p50 ${floor.p50} / p99 ${floor.p99} ms; the system is ${ratio.ofFloor} of it`,
        goal: '— (reported)',
        verdict: '—',
        baseline: `${fmt(ratio.baselineRps)} req/s, p99 ${ratio.baselineP99} ms`,
        ratio: String(ratio.floorRatio),
        raw: { run: floor, ratio },
      });
  }
}

const exported = steps.export?.results;
for (const r of exported?.results ?? []) {
  const { medianRowsPerSecond, peakRssMB, vmHWMMB } = r.summary;
  const peak = Math.max(peakRssMB, vmHWMMB ?? 0);
  const problems = r.runs.flatMap((run) => run.file.problems);
  cells.push({
    figure: `CSV export, ${fmt(r.expectedRows)} rows (${r.scope})`,
    replicas: 1,
    value: `${fmt(medianRowsPerSecond)} rows/s (median of ${r.runs.length}), peak RSS ${Math.round(peak)} MB${problems.length ? `; FILE PROBLEMS: ${problems.join('; ')}` : ''}`,
    goal: '≥ 100,000 rows/s, peak RSS ≤ 200 MB',
    verdict: verdict([medianRowsPerSecond >= 100_000, peak <= 200, problems.length === 0]),
    baseline: '',
    ratio: '',
    raw: r.summary,
  });
}

const forms = steps.forms?.results;
if (forms) {
  const asRun = forms.runs.find((r) => r.connections === options.concurrency) ?? forms.runs.at(-1);
  const failed = asRun.non2xx + asRun.errors + asRun.timeouts;
  cells.push({
    figure: 'Form submissions accepted (relay delivering at the same time, as `npm start` runs)',
    replicas: 1,
    value: `${fmt(asRun.acceptedPerSecond)}/s, p50 ${asRun.p50} / p99 ${asRun.p99} ms at ${asRun.connections} connections${failed ? `; ${failed} not accepted` : ''}`,
    goal: '≥ 1,000/s',
    verdict: verdict([asRun.acceptedPerSecond >= 1_000, failed === 0]),
    baseline: '',
    ratio: '',
    raw: asRun,
  });
  cells.push({
    figure: `Submission → ticket, ${forms.paced.rate}/s on an idle system`,
    replicas: 1,
    value: `p50 ${forms.paced.ticketP50} / p99 ${forms.paced.ticketP99} ms (${forms.paced.submissions} submissions)`,
    goal: '— (reported)',
    verdict: '—',
    baseline: '',
    ratio: '',
    raw: forms.paced,
  });
}

const header = ['figure', 'replicas', 'measured', 'goal', 'met', 'baseline', 'ratio'];
const table = [
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...cells.map(
    (c) => `| ${[c.figure, c.replicas, c.value, c.goal, c.verdict, c.baseline, c.ratio].join(' | ')} |`,
  ),
].join('\n');
console.log(`\nIssue 9, ${new Date().toISOString()} (${options.duration} s per cell)\n\n${table}\n`);

writeResults(
  'suite',
  {
    kind: 'suite',
    date: new Date().toISOString(),
    label: options.label,
    options,
    steps: Object.fromEntries(Object.entries(steps).map(([name, { file }]) => [name, file])),
    cells,
    markdown: table,
  },
  stamp,
);
