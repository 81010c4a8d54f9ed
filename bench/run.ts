/**
 * `npm run bench`: every benchmark, each in its own child process (so one's memory does not show
 * in another's numbers), then one markdown summary with the machine it ran on.
 *
 *   language  bench/language.ts   detector wrong/unsure/right on the evaluation set per eld database, franc baseline
 *   journal   bench/journal.ts    store + journal ops/s and latency: memory, embedded SQLite, Redis
 *   pipeline  bench/pipeline.ts   whole app: webhook ack, end-to-end latency, messages/s, RSS
 *   memory    bench/memory.ts     the production start (dist, built first if stale): RSS idle/peak/after a burst, idle CPU
 *
 * Run: npm run bench [-- --quick] [-- --only=journal,pipeline]
 * --quick runs smaller sizes (a smoke run of well under a minute). Exits 1 only when a benchmark
 * crashed (no result); slow numbers are reported, never failed on. See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { cpus, freemem, loadavg, release, totalmem, type as osType } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatSection, RESULT_PREFIX, type Section } from './report.ts';

const quick = process.argv.includes('--quick');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');

interface Child {
  readonly output: string[];
  readonly sections: Section[] | undefined;
  readonly code: number | null;
  readonly seconds: number;
}

/** Runs `node --import tsx bench/<file> …args`, echoing its output; collects its result line. */
function runChild(file: string, args: readonly string[]): Promise<Child> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const output: string[] = [];
    let sections: Section[] | undefined;
    let pending = '';
    const take = (line: string) => {
      if (line.startsWith(RESULT_PREFIX)) sections = JSON.parse(line.slice(RESULT_PREFIX.length)) as Section[];
      else {
        output.push(line);
        console.log(`  ${line}`);
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(take);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (pending) take(pending);
      resolve({ output, sections, code, seconds: (performance.now() - start) / 1000 });
    });
  });
}

/**
 * bench/language.ts once per eld database on the evaluation set's report part; the default
 * (`small`) run also scores franc as the baseline and gives the per-language and confusion
 * tables. The summary rows of every run are merged into one table.
 */
async function languageBench(failures: string[]): Promise<Section[]> {
  const databases = quick ? ['small'] : ['extrasmall', 'small', 'medium', 'large'];
  let summary: Section | undefined;
  const details: Section[] = [];
  for (const database of databases) {
    console.log(`\n== language (${database}) ==`);
    const args = database === 'small' ? [database, '--baseline', '--details'] : [database];
    const child = await runChild('./language.ts', args);
    const [first, ...rest] = child.sections ?? [];
    if (child.code !== 0 || first === undefined) {
      failures.push(`language ${database} exited with ${child.code}${first ? '' : ' without a result'}`);
      continue;
    }
    summary = summary === undefined ? first : { ...summary, rows: [...summary.rows, ...first.rows] };
    details.push(...rest);
  }
  return summary === undefined ? details : [summary, ...details];
}

function machine(start: Date, loadStart: number[], loadEnd: number[], seconds: number): Section {
  const cpu = cpus();
  const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  return {
    title: 'Machine',
    columns: ['', ''],
    rows: [
      ['date', start.toISOString()],
      ['cpu', `${cpu[0]?.model.trim() ?? 'unknown'} × ${cpu.length} cores`],
      ['memory', `${gb(totalmem())} (${gb(freemem())} free at the end)`],
      ['os', `${osType()} ${release()}`],
      ['node', process.version],
      ['load average (1 min) at start / end', `${loadStart[0]?.toFixed(2)} / ${loadEnd[0]?.toFixed(2)}`],
      ['mode', quick ? '--quick (small sizes)' : 'default sizes'],
      ['total time', `${seconds.toFixed(0)} s`],
    ],
    notes: ['A load average near or above the core count means other work shared the CPU (and the disk): rerun before comparing numbers.'],
  };
}

async function main(): Promise<void> {
  const start = new Date();
  const t0 = performance.now();
  const loadStart = loadavg();
  const pass = quick ? ['--quick'] : [];
  const sections: Section[] = [];
  const failures: string[] = [];
  const want = (name: string) => only === undefined || only.includes(name);

  if (want('language')) sections.push(...(await languageBench(failures)));
  for (const [name, file] of [
    ['journal', './journal.ts'],
    ['pipeline', './pipeline.ts'],
    ['memory', './memory.ts'],
  ] as const) {
    if (!want(name)) continue;
    console.log(`\n== ${name} ==`);
    const child = await runChild(file, pass);
    console.log(`  (${child.seconds.toFixed(0)} s)`);
    if (child.code !== 0 || child.sections === undefined)
      failures.push(`${name} exited with ${child.code}${child.sections ? '' : ' without a result'}`);
    sections.push(...(child.sections ?? []));
  }

  const summary = [machine(start, loadStart, loadavg(), (performance.now() - t0) / 1000), ...sections];
  console.log('\n\n## Threadline benchmark summary\n');
  console.log(summary.map(formatSection).join('\n\n'));
  if (failures.length > 0) {
    console.log(`\n**Failed:** ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

await main();
