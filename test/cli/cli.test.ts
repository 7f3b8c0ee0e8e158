/**
 * The command line as a user meets it: real processes, real files, exit codes and the
 * exact lines printed. Each run starts the CLI with tsx, as `npm run cli` does.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../src/main/engine/checkpoint';
import { cli, corpus, dir, expectOneLineError, TINY, writeCorpus } from '../helpers/cli';

beforeAll(writeCorpus);

describe('the CLI', () => {
  it('prints usage without a command, and refuses an unknown one', async () => {
    const usage = await cli([]);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toContain('train');
    expectOneLineError(await cli(['fly']), /unknown command "fly"/);
  });

  it.each([
    [
      ['--hidden-size', '0'],
      /Hidden size must be an integer from 1 to 4096 \(--hidden-size\), got 0/,
    ],
    [['--hidden-size', '1e9'], /Hidden size must be .* got 1000000000/],
    [['--seq-len', '0'], /Sequence length must be an integer from 1/],
    [['--batch-size', '-1'], /Batch size must be an integer from 1 .* got -1/],
    [['--lr', 'NaN'], /--lr must be a number, got "NaN"/],
    [['--dropout', '1'], /Dropout must be a number from 0 to below 1 \(--dropout\), got 1/],
    [['--val-fraction', '1'], /Validation fraction must be a number from 0 to 0.9/],
    [
      ['--lr-decay', '1.5'],
      /Learning-rate decay must be a number from 0 to 1 \(--lr-decay\), got 1.5/,
    ],
    [['--hidden-size', 'abc'], /--hidden-size must be a number, got "abc"/],
    [['--bogus', '3'], /Unknown option '--bogus'.*--help/],
    [['--hidden-size'], /--hidden-size.*argument missing|requires a value|argument/i],
  ])('refuses train %j in one line naming the field', async (args, message) => {
    expectOneLineError(await cli(['train', '--corpus', corpus, ...args]), message);
  });

  it('says in one line when the corpus is missing, a folder, empty or binary', async () => {
    mkdirSync(join(dir, 'folder'), { recursive: true });
    writeFileSync(join(dir, 'empty.txt'), '');
    writeFileSync(
      join(dir, 'image.png'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    );
    expectOneLineError(await cli(['train', '--corpus', join(dir, 'missing.txt')]), /no such file/);
    expectOneLineError(await cli(['train', '--corpus', join(dir, 'folder')]), /is a folder/);
    expectOneLineError(await cli(['train', '--corpus', join(dir, 'empty.txt')]), /is empty/);
    expectOneLineError(await cli(['train', '--corpus', join(dir, 'image.png')]), /looks binary/);
  });

  it('refuses Windows-1252 bytes with the offset and hint, and trains with --encoding windows-1252', async () => {
    const path = join(dir, 'win.txt');
    writeFileSync(
      path,
      Buffer.from(Array.from({ length: 200 }, () => [0x49, 0x74, 0x92, 0x73, 0x0a]).flat()),
    );
    expectOneLineError(
      await cli(['train', '--corpus', path, ...TINY]),
      /offset 2.*--encoding windows-1252/,
    );
    const ok = await cli([
      'train',
      '--corpus',
      path,
      '--encoding',
      'windows-1252',
      '--steps',
      '2',
      '--out',
      'win.ckpt',
      ...TINY,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('says when it turned CRLF line endings into LF', async () => {
    const path = join(dir, 'crlf.txt');
    writeFileSync(path, 'the cat sat on the mat.\r\n'.repeat(80));
    const run = await cli([
      'train',
      '--corpus',
      path,
      '--steps',
      '1',
      '--out',
      'crlf.ckpt',
      ...TINY,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /turned 80 CRLF\/CR line endings into LF \(--keep-line-endings keeps them\)/,
    );
  });

  it('refuses a corpus too small for the batch before training, naming settings that fit', async () => {
    const path = join(dir, 'one-kb.txt');
    writeFileSync(path, 'abcdefghij klmnopqrst\n'.repeat(47).slice(0, 1024));
    const run = await cli([
      'train',
      '--corpus',
      path,
      '--seq-len',
      '100',
      '--batch-size',
      '64',
      '--val-fraction',
      '0.15',
    ]);
    expectOneLineError(
      run,
      /--batch-size 8 \(with --seq-len 100\)/,
      /--seq-len 13 \(with --batch-size 64\)/,
    );
  });

  it('trains, saves, describes, generates and evaluates', async () => {
    const train = await cli([
      'train',
      '--corpus',
      corpus,
      '--steps',
      '20',
      '--out',
      'cats.ckpt',
      '--log-every',
      '5',
      ...TINY,
    ]);
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(
      /^step {2}5\/20 \| epoch [\d.]+ \| trainLoss [\d.]+ \| valLoss {3}- {4}\| lr [\d.]+e-\d \| +[\d,]+ chars\/s \| +\d+s elapsed \| ETA \d+s$/m,
    );
    expect(train.stdout).toMatch(/^step 20\/20 .*valLoss \d\.\d{4}/m);
    expect(train.stderr).toMatch(/backend: (native|WebAssembly|JavaScript)/);
    expect(train.stderr).toMatch(/finished at step 20 .*saved .*cats\.ckpt/);

    const info = await cli(['info', 'cats.ckpt']);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/hiddenSize 16/);
    expect(info.stdout).toMatch(/step 20 of 20/);
    expect(info.stdout).toMatch(
      /^settings +seqLen \d+, batchSize \d+, lr [\d.]+, lrDecay [\d.]+, clip/m,
    );
    expect(info.stdout).toMatch(/vocabSize +\d+: "\\n"/);

    const greedyArgs = ['--temperature', '0', '--length', '50', '--prime', 'the '];
    const greedy = await cli(['generate', '--checkpoint', 'cats.ckpt', ...greedyArgs]);
    expect(greedy.code, greedy.stderr).toBe(0);
    expect([...greedy.stdout]).toHaveLength(54);
    expect(greedy.stdout.startsWith('the ')).toBe(true);
    const again = await cli(['generate', '--checkpoint', 'cats.ckpt', ...greedyArgs]);
    expect(again.stdout).toBe(greedy.stdout);
    const sampled = await cli(['generate', 'cats.ckpt', '--length', '30']);
    expect(sampled.stderr).toMatch(/^seed: \d+$/m);
    const seed = /seed: (\d+)/.exec(sampled.stderr)![1]!;
    expect((await cli(['generate', 'cats.ckpt', '--length', '30', '--seed', seed])).stdout).toBe(
      sampled.stdout,
    );
    expectOneLineError(
      await cli(['generate', 'cats.ckpt', '--prime', 'Hi!']),
      /'H', 'i', '!'.*--drop-unknown/,
    );
    expectOneLineError(
      await cli(['generate', 'cats.ckpt', '--temperature', '-1']),
      /Temperature must be/,
    );

    const evaluated = await cli(['eval', '--checkpoint', 'cats.ckpt', '--corpus', corpus]);
    expect(evaluated.stdout).toMatch(
      /^loss \d\.\d{4} nats\/char \(\d\.\d{4} bits\/char\) over [\d,]+ characters of cats\.txt$/m,
    );

    expectOneLineError(
      await cli(['train', '--corpus', corpus, '--out', 'cats.ckpt', ...TINY]),
      /already exists.*--force/,
    );
    const resumed = await cli([
      'train',
      '--corpus',
      corpus,
      '--resume',
      'cats.ckpt',
      '--out',
      'cats.ckpt',
      '--steps',
      '30',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming cats\.ckpt at step 20/);
    expect(resumed.stdout).toMatch(/^step 30\/30/m);
    expect(resumed.stdout).not.toMatch(/^step +1\//m);
  });

  it('refuses to resume on text with characters the model lacks, listing them and the flag', async () => {
    const other = join(dir, 'other.txt');
    writeFileSync(other, 'the cat sat on the mat. the dog sat on the log!?\n'.repeat(60));
    await cli(['train', '--corpus', corpus, '--steps', '2', '--out', 'base.ckpt', ...TINY]);
    const refused = await cli([
      'train',
      '--corpus',
      other,
      '--resume',
      'base.ckpt',
      '--steps',
      '4',
    ]);
    expectOneLineError(
      refused,
      /2 character\(s\).*'!', '\?'/,
      /resume with --extend-vocab to add them/,
    );
    expectOneLineError(
      await cli(['train', '--corpus', other, '--extend-vocab', ...TINY]),
      /--extend-vocab grows the vocabulary of a model being resumed; use it with --resume/,
    );
  });

  it('appends the new characters on resume with --extend-vocab, and the model uses them', async () => {
    const other = join(dir, 'other.txt');
    // No steps left: refused before anything is said to be extended.
    const early = [
      '--resume',
      'base.ckpt',
      '--out',
      'early.ckpt',
      '--steps',
      '2',
      '--extend-vocab',
    ];
    const noSteps = await cli(['train', '--corpus', other, ...early]);
    expectOneLineError(noSteps, /already taken 2 steps/);
    expect(noSteps.stderr).not.toMatch(/extended the vocabulary/);

    const args = ['--resume', 'base.ckpt', '--out', 'grown.ckpt', '--steps', '6', '--extend-vocab'];
    const run = await cli(['train', '--corpus', other, ...args]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /extended the vocabulary by 2 character\(s\): '!', '\?'; vocabSize (\d+) -> (\d+)/,
    );
    const base = decodeCheckpoint(readFileSync(join(dir, 'base.ckpt')), 'base.ckpt');
    const grown = decodeCheckpoint(readFileSync(join(dir, 'grown.ckpt')), 'grown.ckpt');
    expect(grown.vocab).toEqual([...base.vocab, '!', '?']);
    expect(grown.config.vocabSize).toBe(base.config.vocabSize + 2);
    expect(grown.training.step).toBe(6);
    const generated = await cli(['generate', 'grown.ckpt', '--prime', 'log!?', '--length', '5']);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout.startsWith('log!?')).toBe(true);
  });

  it('finds a bad --out before training, and never writes over a folder or a device', async () => {
    const args = ['train', '--corpus', corpus, ...TINY];
    expectOneLineError(
      await cli([...args, '--out', join(dir, 'nope', 'x.ckpt')]),
      /the folder .*nope does not exist; create it or choose another/,
    );
    expectOneLineError(await cli([...args, '--out', dir, '--force']), /is a folder/);
    expectOneLineError(await cli([...args, '--out', '/dev/null', '--force']), /not a regular file/);
  });

  it('without validation still autosaves and prints a line every evalEvery steps', async () => {
    const args = [
      '--val-fraction',
      '0',
      '--steps',
      '25',
      '--log-every',
      '100',
      '--out',
      'noval.ckpt',
    ];
    const run = await cli(['train', '--corpus', corpus, ...args, ...TINY]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.match(/^step .*$/gm)).toHaveLength(4); // steps 1, 10, 20 and 25
  });

  it('reads relative paths from the folder npm was started in', async () => {
    mkdirSync(join(dir, 'work'), { recursive: true });
    writeFileSync(join(dir, 'work', 'play.txt'), readFileSync(corpus));
    const env = { ...process.env, INIT_CWD: join(dir, 'work'), npm_lifecycle_event: 'cli' };
    const args = ['train', '--corpus', 'play.txt', '--steps', '2', ...TINY];
    const run = await cli(args, undefined, { env, cwd: process.cwd() });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(dir, 'work', 'play.ckpt'))).toBe(true);
  });

  it('resumes into the checkpoint it came from when no --out is given', async () => {
    const resumed = await cli([
      'train',
      '--corpus',
      corpus,
      '--resume',
      'base.ckpt',
      '--steps',
      '4',
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/saved .*base\.ckpt/);
    expect(decodeCheckpoint(readFileSync(join(dir, 'base.ckpt')), 'base.ckpt').training.step).toBe(
      4,
    );
  });

  it.each([
    [['--hidden-size', '0x10'], /--hidden-size must be a number, got "0x10"/],
    [['--log-every', '0'], /--log-every must be a whole number of at least 1/],
    [['stray'], /Unexpected argument "stray"/],
    [['--out', ''], /--out was given an empty value; give one, or leave it out/],
    [
      ['--steps', '--hidden-size', '8'],
      /--steps is missing its value \(the next word is another option\)/,
    ],
  ])('refuses train %j', async (args, message) => {
    expectOneLineError(await cli(['train', '--corpus', corpus, ...args]), message);
  });

  it('takes a prime that starts with a dash', async () => {
    const args = ['--prime', '-the', '--drop-unknown', '--length', '5', '--seed', '1'];
    const run = await cli(['generate', 'base.ckpt', ...args]);
    expect(run.code, run.stderr).toBe(0);
    // Taken as the prime; '-' is not in the model's vocabulary, so it is dropped, and the
    // output shows the prime as the model read it.
    expect(run.stdout.startsWith('the')).toBe(true);
  });

  it('reads a prime from a file, with CRLF line ends read as the model saw them', async () => {
    writeFileSync(join(dir, 'prime.txt'), 'the cat\r\nsat ');
    const greedy = ['--temperature', '0', '--length', '30'];
    const fromFile = await cli(['generate', 'base.ckpt', '--prime-file', 'prime.txt', ...greedy]);
    const inline = await cli(['generate', 'base.ckpt', '--prime', 'the cat\r\nsat ', ...greedy]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout.startsWith('the cat\nsat ')).toBe(true);
    expect(fromFile.stdout).toBe(inline.stdout);

    writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x92, 0x74]));
    expectOneLineError(
      await cli(['generate', 'base.ckpt', '--prime-file', 'latin1.txt']),
      /latin1\.txt is not valid UTF-8 \(offset 2\); re-save it as UTF-8/,
    );
    expectOneLineError(
      await cli(['generate', 'base.ckpt', '--prime-file', 'nowhere.txt']),
      /Could not read the prime file at nowhere\.txt: no such file/,
    );
    expectOneLineError(
      await cli(['generate', 'base.ckpt', '--prime-file', 'prime.txt', '--prime', 'x']),
      /either --prime or --prime-file/,
    );
  });

  it('stops a diverging run, says to lower the learning rate, and writes no checkpoint', async () => {
    const run = await cli([
      'train',
      '--corpus',
      corpus,
      '--lr',
      '10',
      '--steps',
      '50',
      '--out',
      'diverged.ckpt',
      ...TINY,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/diverged\. Lower the learning rate \(now 10; try 0\.003\)/);
    expect(run.stderr).toMatch(/No checkpoint was written/);
    expect(existsSync(join(dir, 'diverged.ckpt'))).toBe(false);
  });
});
