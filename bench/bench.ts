/**
 * `npm run bench`: Folio's training and generation speed on the reference workload of
 * issue 5, per backend and hidden size, optionally side by side with PyTorch (--compare).
 *
 * Every row runs alone in a child process (bench/run-one.ts), one after another, so rows
 * never share the two cores, the memory high-water mark or tfjs's global state. The table
 * goes to stdout, then one JSON line; progress and children's chatter go to stderr.
 *
 * Does not: pin cores, repeat whole processes, or check that the machine is otherwise idle.
 * Run it on a quiet machine; numbers from a busy one are not comparable.
 */
import { fork, spawn, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BENCH_HELP,
  loadWarning,
  parseBenchArgs,
  resultsJson,
  resultsTable,
  WORKLOAD,
  type BackendName,
  type BenchOptions,
  type BenchRow,
  type Skipped,
} from './helpers';
import type { RowReply, RowRequest } from './run-one';

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** Runs one Folio row in a fresh process; its stdout is sent to our stderr. */
function folioRow(req: RowRequest): Promise<RowReply> {
  return new Promise((done, fail) => {
    const child = fork(resolve(here, 'run-one.ts'), [JSON.stringify(req)], {
      stdio: ['ignore', process.stderr, 'inherit', 'ipc'],
    });
    let reply: RowReply | undefined;
    child.on('message', (message) => (reply = message as RowReply));
    child.on('error', fail);
    child.on('exit', (code) => {
      if (reply) done(reply);
      else fail(new Error(`the ${req.backend} row (hidden ${req.hiddenSize}) exited ${code}`));
    });
  });
}

/** Why PyTorch cannot run here, or undefined when it can. */
function torchMissing(script: string): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not found`;
  if (probe.status !== 0) {
    return (
      'python3-torch is missing: install it with ' +
      '`apt-get install -y python3-torch libopenblas0-pthread`'
    );
  }
  const check = spawnSync(PYTHON, ['-c', `open(${JSON.stringify(script)})`]);
  if (check.status !== 0) return `the PyTorch script ${script} is missing`;
  return undefined;
}

interface TorchReply {
  torch: string;
  blasThreads: string | null;
  charsPerSec: number;
  runs: number[];
  sampleMsPerChar: number | null;
  peakRssMB: number;
  lastLoss: number;
}

/** Runs the PyTorch reference at one hidden size with the same workload and timing. */
function torchRow(opts: BenchOptions, hiddenSize: number): Promise<BenchRow> {
  const args = [
    opts.torchScript,
    ...['--corpus', opts.corpus, '--hidden', String(hiddenSize)],
    ...['--layers', String(WORKLOAD.numLayers), '--embed', String(WORKLOAD.embedSize)],
    ...['--batch', String(WORKLOAD.batchSize), '--seq-len', String(WORKLOAD.seqLen)],
    ...['--lr', String(WORKLOAD.lr), '--warmup', String(opts.warmup)],
    ...['--steps', String(opts.steps), '--runs', String(opts.runs)],
    ...['--sample', String(opts.sample)],
  ];
  return new Promise((done, fail) => {
    const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        fail(new Error(`the PyTorch script exited ${code}: ${out.trim().slice(-300)}`));
        return;
      }
      const t = JSON.parse(last) as TorchReply;
      done({
        engine: 'pytorch',
        detail: `torch ${t.torch}, ${t.blasThreads ?? '?'} BLAS threads`,
        hiddenSize,
        charsPerSec: t.charsPerSec,
        runs: t.runs,
        charsPerCpuSec: null,
        genMsPerChar: t.sampleMsPerChar,
        peakRssMB: t.peakRssMB,
        lastLoss: t.lastLoss,
      });
    });
  });
}

function requestFor(opts: BenchOptions, backend: BackendName, hiddenSize: number): RowRequest {
  // The JavaScript backend is ~20x slower: one warm-up step and fewer timed steps.
  const slow = backend === 'cpu';
  return {
    backend,
    hiddenSize,
    corpus: opts.corpus,
    warmup: slow ? Math.min(1, opts.warmup) : opts.warmup,
    steps: slow ? opts.cpuSteps : opts.steps,
    runs: opts.runs,
    sample: opts.sample,
  };
}

async function main(argv: string[]): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(argv, resolve(here, '..'));
  } catch (err) {
    console.error(`bench: ${(err as Error).message} Run "npm run bench -- --help".`);
    return 2;
  }
  if (opts.help) {
    console.log(BENCH_HELP);
    return 0;
  }
  const torchProblem = opts.compare ? torchMissing(opts.torchScript) : undefined;
  if (torchProblem) log(`--compare skipped: ${torchProblem}.`);

  const loadBefore = loadavg()[0]!;
  const rows: BenchRow[] = [];
  const skipped: Skipped[] = [];
  const unavailable = new Set<string>();
  for (const hiddenSize of opts.hiddenSizes) {
    for (const backend of opts.backends) {
      if (unavailable.has(backend)) continue;
      log(`${backend}, hidden ${hiddenSize} ...`);
      const reply = await folioRow(requestFor(opts, backend, hiddenSize));
      if ('skipped' in reply) {
        log(`${backend} does not load here: ${reply.skipped}`);
        skipped.push({ engine: backend, hiddenSize, reason: reply.skipped });
        unavailable.add(backend);
      } else {
        rows.push(reply.row);
      }
    }
    if (opts.compare && !torchProblem) {
      log(`PyTorch, hidden ${hiddenSize} ...`);
      rows.push(await torchRow(opts, hiddenSize));
    }
  }

  const { embedSize, numLayers, batchSize, seqLen, lr } = WORKLOAD;
  console.log(
    `Workload: ${opts.corpus.split('/').pop()}, embedding ${embedSize}, ${numLayers} GRU ` +
      `layer, batch ${batchSize}, seqLen ${seqLen}, Adam lr ${lr}; median of ${opts.runs} runs ` +
      `of ${opts.steps} steps (cpu: ${opts.cpuSteps}) after warm-up.`,
  );
  console.log(resultsTable(rows));
  for (const row of rows) console.log(`  ${row.engine} ${row.hiddenSize}: ${row.detail}`);
  for (const s of skipped.filter((s, i) => skipped.findIndex((o) => o.engine === s.engine) === i))
    console.log(`  ${s.engine}: not run (${s.reason})`);
  if (torchProblem) console.log(`  pytorch: not run (${torchProblem})`);
  const load: [number, number] = [loadBefore, loadavg()[0]!];
  const warning = loadWarning(load, availableParallelism());
  if (warning) console.log(warning);
  console.log(resultsJson(rows, skipped, opts, load));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
