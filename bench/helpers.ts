/**
 * The benchmark's pure parts: its flags, the statistics and the output (a table for people,
 * a JSON line for scripts). No tfjs and no timing here, so test/bench can check them fast.
 */
import { parseArgs } from 'node:util';

export type BackendName = 'native' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['native', 'wasm', 'cpu'];

/** The reference workload of issue 5; only hiddenSize varies between rows. */
export const WORKLOAD = {
  embedSize: 64,
  numLayers: 1,
  batchSize: 32,
  seqLen: 100,
  lr: 2e-3,
} as const;

export interface BenchOptions {
  backends: BackendName[];
  hiddenSizes: number[];
  /** Steps before timing starts (wasm and native; cpu always takes 1). */
  warmup: number;
  /** Timed steps per run on wasm and native. */
  steps: number;
  /** Timed steps per run on the cpu backend, about 20x slower. */
  cpuSteps: number;
  runs: number;
  /** Characters generated for the ms-per-character figure; 0 skips generation. */
  sample: number;
  compare: boolean;
  corpus: string;
  torchScript: string;
  help: boolean;
}

export const BENCH_HELP = `Usage: npm run bench -- [options]

Trains the reference workload (embedding ${WORKLOAD.embedSize}, ${WORKLOAD.numLayers} GRU layer, \
batch ${WORKLOAD.batchSize}, seqLen ${WORKLOAD.seqLen},
Adam lr ${WORKLOAD.lr}) on each backend and hidden size, each in its own process, and prints
training chars/s (median of the runs), generation ms/char and peak RSS.

  --backends LIST     any of native,wasm,cpu (default: all; one that does not load is noted)
  --hidden LIST       hidden sizes, one row each (default 256,512)
  --warmup N          untimed steps first on wasm and native (default 3)
  --steps N           timed steps per run on wasm and native (default 10)
  --cpu-steps N       timed steps per run on cpu, after 1 warm-up step (default 1)
  --runs N            timed runs; the median is reported (default 3)
  --sample N          characters generated to time generation; 0 skips (default 1000)
  --compare           also run the PyTorch reference script with the same settings
  --corpus FILE       text to train on (default ../shared/data/tinyshakespeare.txt)
  --torch-script FILE (default ../shared/bench/torch_gru.py)

The last line printed is one JSON object with every number, for scripts.`;

/** Parses argv; throws an Error whose message names the bad flag and what it accepts. */
export function parseBenchArgs(argv: string[], repoRoot: string): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      backends: { type: 'string', default: BACKENDS.join(',') },
      hidden: { type: 'string', default: '256,512' },
      warmup: { type: 'string', default: '3' },
      steps: { type: 'string', default: '10' },
      'cpu-steps': { type: 'string', default: '1' },
      runs: { type: 'string', default: '3' },
      sample: { type: 'string', default: '1000' },
      compare: { type: 'boolean', default: false },
      corpus: { type: 'string', default: `${repoRoot}/../shared/data/tinyshakespeare.txt` },
      'torch-script': { type: 'string', default: `${repoRoot}/../shared/bench/torch_gru.py` },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const backends = values.backends.split(',').map((name) => name.trim());
  for (const name of backends) {
    if (!(BACKENDS as readonly string[]).includes(name)) {
      throw new Error(`--backends takes any of ${BACKENDS.join(',')}; got "${name}".`);
    }
  }
  return {
    backends: backends as BackendName[],
    hiddenSizes: values.hidden.split(',').map((v) => wholeNumber('hidden', v, 1)),
    warmup: wholeNumber('warmup', values.warmup, 0),
    steps: wholeNumber('steps', values.steps, 1),
    cpuSteps: wholeNumber('cpu-steps', values['cpu-steps'], 1),
    runs: wholeNumber('runs', values.runs, 1),
    sample: wholeNumber('sample', values.sample, 0),
    compare: values.compare,
    corpus: values.corpus,
    torchScript: values['torch-script'],
    help: values.help,
  };
}

function wholeNumber(flag: string, text: string, min: number): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(value) || value < min) {
    throw new Error(`--${flag} takes a whole number of at least ${min}; got "${text}".`);
  }
  return value;
}

/** Middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Characters per second of each timed run, from the clock read before the first step and
 * after every step: run r spans steps [warmup + r * steps, warmup + (r + 1) * steps).
 */
export function runRates(
  stepTimesMs: readonly number[],
  warmup: number,
  steps: number,
  charsPerStep: number,
): number[] {
  const rates: number[] = [];
  for (let start = warmup; start + steps < stepTimesMs.length; start += steps) {
    const ms = stepTimesMs[start + steps]! - stepTimesMs[start]!;
    rates.push((charsPerStep * steps * 1000) / ms);
  }
  return rates;
}

/** One row of results: a Folio backend or PyTorch, at one hidden size. */
export interface BenchRow {
  /** 'wasm', 'cpu', 'native' or 'pytorch'. */
  engine: string;
  /** What ran, e.g. "WebAssembly (tfjs 4.22.0)" or "torch 1.13.0, 2 BLAS threads". */
  detail: string;
  hiddenSize: number;
  charsPerSec: number;
  runs: number[];
  /**
   * Characters per second of CPU time, all threads together: what one core would do if
   * it were free. Steadier than charsPerSec on a busy machine; null where not measured.
   */
  charsPerCpuSec: number | null;
  genMsPerChar: number | null;
  peakRssMB: number;
  lastLoss: number;
}

export interface Skipped {
  engine: string;
  hiddenSize: number;
  reason: string;
}

/** Folio / PyTorch for one Folio row, when PyTorch ran the same hidden size. */
export interface Ratios {
  /** Training throughput; above 1 means Folio is faster. */
  train: number;
  /** Generation time per character; below 1 means Folio is faster. */
  genTime: number | null;
  /** Peak resident memory; below 1 means Folio uses less. */
  rss: number;
}

export function ratiosFor(row: BenchRow, rows: readonly BenchRow[]): Ratios | undefined {
  const torch = rows.find((r) => r.engine === 'pytorch' && r.hiddenSize === row.hiddenSize);
  if (!torch || row.engine === 'pytorch') return undefined;
  return {
    train: row.charsPerSec / torch.charsPerSec,
    genTime:
      row.genMsPerChar !== null && torch.genMsPerChar
        ? row.genMsPerChar / torch.genMsPerChar
        : null,
    rss: row.peakRssMB / torch.peakRssMB,
  };
}

/** Lays out cells in columns: text left-aligned, numbers (and "-") right-aligned. */
export function formatTable(header: string[], body: string[][]): string {
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const numeric = header.map((_, c) => body.every((row) => /^[-\d.,x ]*$/.test(row[c] ?? '')));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function times(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '-' : `${ratio.toFixed(2)}x`;
}

/** The table people read: one line per engine and hidden size, ratios against PyTorch. */
export function resultsTable(rows: readonly BenchRow[]): string {
  const header = [
    'engine',
    'hidden',
    'train chars/s',
    'runs',
    'chars/CPU-s',
    'gen ms/char',
    'peak RSS MB',
    'train vs torch',
    'gen time vs torch',
    'RSS vs torch',
  ];
  const body = rows.map((row) => {
    const ratios = ratiosFor(row, rows);
    return [
      row.engine,
      String(row.hiddenSize),
      thousands(row.charsPerSec),
      row.runs.map(thousands).join(' '),
      row.charsPerCpuSec === null ? '-' : thousands(row.charsPerCpuSec),
      row.genMsPerChar === null ? '-' : row.genMsPerChar.toFixed(3),
      String(Math.round(row.peakRssMB)),
      times(ratios?.train),
      times(ratios?.genTime),
      times(ratios?.rss),
    ];
  });
  return formatTable(header, body);
}

/**
 * A warning when other processes kept the cores busy: a 1-minute load average above half
 * the core count before the run, or above 1.5x the core count at its end (the bench itself
 * accounts for up to one per core). Wall-clock figures, PyTorch's most, are then unreliable.
 */
export function loadWarning(load: [number, number], cores: number): string | undefined {
  const [before, after] = load;
  if (!(before > cores / 2 || after > 1.5 * cores)) return undefined;
  return (
    `Warning: load average ${before.toFixed(1)} before and ${after.toFixed(1)} after this ` +
    `run on ${cores} cores: other processes took CPU time, so these rates are low and the ` +
    `ratios unreliable.`
  );
}

/** Everything in one line of JSON, ratios included, for scripts. */
export function resultsJson(
  rows: readonly BenchRow[],
  skipped: readonly Skipped[],
  options: BenchOptions,
  /** 1-minute load averages at the start and the end of the run. */
  load: [number, number] = [NaN, NaN],
): string {
  return JSON.stringify({
    workload: { ...WORKLOAD, corpus: options.corpus.split('/').pop() },
    loadAverage: load.map((l) => round(l, 2)),
    timing: {
      warmup: options.warmup,
      steps: options.steps,
      cpuSteps: options.cpuSteps,
      runs: options.runs,
    },
    rows: rows.map((row) => ({
      ...row,
      charsPerSec: Math.round(row.charsPerSec),
      runs: row.runs.map(Math.round),
      charsPerCpuSec: row.charsPerCpuSec === null ? null : Math.round(row.charsPerCpuSec),
      genMsPerChar: row.genMsPerChar === null ? null : round(row.genMsPerChar, 4),
      peakRssMB: Math.round(row.peakRssMB),
      lastLoss: round(row.lastLoss, 4),
      vsTorch: roundRatios(ratiosFor(row, rows)),
    })),
    skipped,
  });
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function roundRatios(r: Ratios | undefined): Ratios | null {
  if (!r) return null;
  return {
    train: round(r.train, 3),
    genTime: r.genTime === null ? null : round(r.genTime, 3),
    rss: round(r.rss, 3),
  };
}
