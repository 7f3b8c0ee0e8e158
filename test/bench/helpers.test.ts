/**
 * The benchmark's pure helpers: flags, statistics and output. Nothing here times anything;
 * the benchmark itself is run by hand (`npm run bench`), never by the test command.
 */
import { describe, expect, it } from 'vitest';
import {
  formatTable,
  loadWarning,
  median,
  parseBenchArgs,
  ratiosFor,
  resultsJson,
  resultsTable,
  runRates,
  type BenchRow,
} from '../../bench/helpers';

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([30, 10, 20])).toBe(20);
  });
  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('is NaN for no values and leaves its input unsorted', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
    expect(median([])).toBeNaN();
  });
});

describe('runRates', () => {
  it('skips the warm-up and turns each run of steps into characters per second', () => {
    // Clock before step 1 and after steps 1..5: warm-up 1, two runs of 2 steps.
    const times = [0, 5000, 6000, 7000, 9000, 11000];
    expect(runRates(times, 1, 2, 100)).toEqual([100, 50]);
  });
  it('ignores a trailing partial run', () => {
    expect(runRates([0, 1000, 2000, 3000], 0, 2, 10)).toEqual([10]);
  });
});

describe('parseBenchArgs', () => {
  it('defaults to every backend, both hidden sizes and the shared corpus', () => {
    const opts = parseBenchArgs([], '/repo');
    expect(opts.backends).toEqual(['native', 'wasm', 'cpu']);
    expect(opts.hiddenSizes).toEqual([256, 512]);
    expect(opts.corpus).toBe('/repo/../shared/data/tinyshakespeare.txt');
    expect(opts.compare).toBe(false);
  });
  it('reads lists and numbers', () => {
    const opts = parseBenchArgs(
      ['--backends', 'wasm', '--hidden', '128', '--steps', '4', '--runs', '5', '--compare'],
      '/repo',
    );
    expect(opts).toMatchObject({ backends: ['wasm'], hiddenSizes: [128], steps: 4, runs: 5 });
    expect(opts.compare).toBe(true);
  });
  it('names the flag and what it takes when a value is wrong', () => {
    expect(() => parseBenchArgs(['--backends', 'gpu'], '/r')).toThrow(/--backends .*"gpu"/);
    expect(() => parseBenchArgs(['--steps', '0'], '/r')).toThrow(/--steps .*at least 1/);
    expect(() => parseBenchArgs(['--runs', '2.5'], '/r')).toThrow(/--runs/);
    expect(() => parseBenchArgs(['--speed'], '/r')).toThrow(/--speed/);
  });
});

const row = (engine: string, charsPerSec: number, gen: number, rss: number): BenchRow => ({
  engine,
  detail: engine,
  hiddenSize: 256,
  charsPerSec,
  runs: [charsPerSec],
  charsPerCpuSec: null,
  genMsPerChar: gen,
  peakRssMB: rss,
  lastLoss: 3,
});

describe('results', () => {
  const rows = [row('wasm', 20000, 0.1, 300), row('pytorch', 40000, 0.05, 400)];

  it('gives Folio / PyTorch ratios for rows of the same hidden size', () => {
    expect(ratiosFor(rows[0]!, rows)).toEqual({ train: 0.5, genTime: 2, rss: 0.75 });
    expect(ratiosFor(rows[1]!, rows)).toBeUndefined();
  });

  it('aligns a table: text to the left, numbers to the right', () => {
    const table = formatTable(
      ['name', 'n'],
      [
        ['a', '1,000'],
        ['bbb', '5'],
      ],
    );
    expect(table.split('\n')).toEqual(['name      n', '----  -----', 'a     1,000', 'bbb       5']);
  });

  it('prints one line per row with the ratios', () => {
    const lines = resultsTable(rows).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^wasm +256 +20,000 .* 0\.50x +2\.00x +0\.75x$/);
  });

  it('puts everything in one line of JSON', () => {
    const json = resultsJson(rows, [], parseBenchArgs([], '/repo'));
    expect(json).not.toContain('\n');
    const parsed = JSON.parse(json) as { rows: { vsTorch: unknown }[] };
    expect(parsed.rows[0]!.vsTorch).toEqual({ train: 0.5, genTime: 2, rss: 0.75 });
  });
});

describe('loadWarning', () => {
  it('stays quiet on an idle machine and warns when other work held the cores', () => {
    expect(loadWarning([0.3, 2.4], 2)).toBeUndefined(); // the bench's own two threads
    expect(loadWarning([1.5, 2.0], 2)).toMatch(/load average 1\.5 before and 2\.0 after/);
    expect(loadWarning([0.2, 3.5], 2)).toBeDefined();
  });
});
