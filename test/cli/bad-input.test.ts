/**
 * Cases of the bad-input issue (docs/bad-input.md) at the command line that the other CLI
 * tests do not reach: text in other scripts, corpora at the edge of what trains, odd
 * generation settings and damaged checkpoints. Each ends in one line and exit 1, or works.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../src/main/engine/checkpoint';
import { cli, corpus, dir, expectOneLineError, TINY, writeCorpus, type Run } from '../helpers/cli';

/** Trains a few steps on `text` and returns the checkpoint's name. */
async function trainOn(name: string, text: string, extra: string[] = []): Promise<string> {
  writeFileSync(join(dir, `${name}.txt`), text);
  const run = await cli(['train', '--corpus', `${name}.txt`, '--steps', '3', ...TINY, ...extra]);
  expect(run.code, run.stderr).toBe(0);
  return `${name}.ckpt`;
}

function expectText(run: Run, length: number): string {
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).not.toContain('\uFFFD'); // what bytes that are not UTF-8 decode to
  expect([...run.stdout]).toHaveLength(length);
  return run.stdout;
}

beforeAll(async () => {
  writeCorpus();
  await trainOn('base', readFileSync(corpus, 'utf8'));
});

describe('the CLI with bad input', () => {
  it('trains on Cyrillic, accented and CJK text and writes whole UTF-8 characters', async () => {
    const cyrillic = await trainOn('cyrillic', 'тест мир\n'.repeat(300));
    const out = await cli(['generate', cyrillic, '--prime', 'тест', '--length', '200']);
    const vocab = new Set(decodeCheckpoint(readFileSync(join(dir, cyrillic)), 'c').vocab);
    for (const ch of expectText(out, 204)) expect(vocab.has(ch)).toBe(true);

    const mixed = await trainOn('mixed', 'café naïve 你好 '.repeat(120));
    const info = await cli(['info', mixed]);
    expect(info.stdout).toMatch(/vocabSize +11: .*é.*ï.*你.*好/);
    expectText(await cli(['generate', mixed, '--prime', '你', '--length', '300']), 301);
  });

  it.each([
    ['only a newline', '\n', /has 1 distinct character\(s\) \(only "\\n" \(U\+000A\)\)/],
    ['one distinct character', 'aaaaaaaa', /has 1 distinct character\(s\) \(only 'a'\)/],
  ])('refuses a corpus of %s, saying why', async (_, text, reason) => {
    writeFileSync(join(dir, 'odd.txt'), text);
    expectOneLineError(await cli(['train', '--corpus', 'odd.txt', ...TINY]), reason);
  });

  it('trains on a corpus exactly seqLen + 1 characters long with no validation', async () => {
    writeFileSync(join(dir, 'short.txt'), 'abcdefghijklm'); // 13 = seqLen 12 + 1
    const args = ['--seq-len', '12', '--batch-size', '1', '--val-fraction', '0', '--steps', '2'];
    const run = await cli(['train', '--corpus', 'short.txt', '--hidden-size', '8', ...args]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^step 2\/2 \| epoch 2\.00 /m);
  });

  it('starts generating from the vocabulary when the corpus has no spaces and the prime is empty', async () => {
    const model = await trainOn('nospace', 'abcabcabd'.repeat(100), ['--val-fraction', '0']);
    expectText(await cli(['generate', model, '--length', '30', '--seed', '2']), 30);
  });

  it('counts only new characters in --length, even when it is shorter than the prime', async () => {
    const prime = 'the cat sat on the mat';
    const run = await cli(['generate', 'base.ckpt', '--prime', prime, '--length', '3']);
    expect(expectText(run, prime.length + 3).startsWith(prime)).toBe(true);
  });

  it('is greedy at temperature 0 and at 1e-4 alike', async () => {
    const args = ['--prime', 'the ', '--length', '60'];
    const greedy = await cli(['generate', 'base.ckpt', '--temperature', '0', ...args]);
    const cold = await cli(['generate', 'base.ckpt', '--temperature', '1e-4', ...args]);
    expect(expectText(cold, 64)).toBe(expectText(greedy, 64));
  });

  it('keeps the last good checkpoint when a resumed run diverges', async () => {
    writeFileSync(join(dir, 'diverge.ckpt'), readFileSync(join(dir, 'base.ckpt')));
    const before = readFileSync(join(dir, 'diverge.ckpt'));
    const args = ['--resume', 'diverge.ckpt', '--lr', '10', '--steps', '60'];
    const run = await cli(['train', '--corpus', corpus, ...args]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/diverged\. Lower the learning rate \(now 10; try 0\.003\)/);
    expect(readFileSync(join(dir, 'diverge.ckpt'))).toEqual(before);
  });

  it.each([
    [['--temperature', 'abc'], /--temperature must be a number, got "abc"/],
    [['--temperature', '-1'], /Temperature must be/],
    [['--top-k', '-1'], /Top-k must be/],
    [['--top-k', '2.5'], /Top-k must be/],
    [['--top-p', '0'], /Top-p must be/],
    [['--top-p', '1.5'], /Top-p must be/],
  ])('refuses generate %j in one line naming the setting', async (args, message) => {
    expectOneLineError(await cli(['generate', 'base.ckpt', ...args]), message);
  });

  it('refuses damaged checkpoints in every command, naming the problem', async () => {
    const good = readFileSync(join(dir, 'base.ckpt'));
    const length = Number(good.readBigUInt64LE(0));
    const header = JSON.parse(good.subarray(8, 8 + length).toString()) as {
      __metadata__: Record<string, string>;
    };
    header.__metadata__.formatVersion = '2';
    const json = Buffer.from(JSON.stringify(header).padEnd(length));
    const newer = Buffer.concat([good.subarray(0, 8), json, good.subarray(8 + length)]);
    const damaged: [string, Uint8Array, RegExp][] = [
      ['zero.ckpt', new Uint8Array(0), /zero\.ckpt is not a usable Folio checkpoint: .*too short/],
      ['cut.ckpt', good.subarray(0, good.length - 100), /cut\.ckpt .*runs past the end.*truncated/],
      [
        'noise.ckpt',
        Uint8Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 251),
        /noise\.ckpt .*header claims/,
      ],
      ['newer.ckpt', newer, /newer\.ckpt .*written by a newer Folio \(format 2.*update Folio/],
    ];
    for (const [name, bytes, reason] of damaged) {
      writeFileSync(join(dir, name), bytes);
      expectOneLineError(await cli(['info', name]), reason);
    }
    // Every command reads checkpoints the same way; one damaged file goes through each.
    for (const args of [
      ['generate', 'cut.ckpt'],
      ['eval', '--checkpoint', 'cut.ckpt', '--corpus', corpus],
      ['train', '--corpus', corpus, '--resume', 'cut.ckpt'],
    ]) {
      expectOneLineError(await cli(args), damaged[1]![2]);
    }
    expect(readFileSync(join(dir, 'cut.ckpt'))).toEqual(damaged[1]![1]); // never rewritten
  });
});
