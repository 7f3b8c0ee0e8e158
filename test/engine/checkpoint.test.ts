import { spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../src/shared/events';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  FORMAT_VERSION,
  loadCheckpoint,
  saveCheckpoint,
} from '../../src/main/engine/checkpoint';
import { FolioError } from '../../src/main/engine/errors';
import { Session } from '../../src/main/engine/session';
import { train } from '../../src/main/engine/train';
import { useTestBackend } from '../helpers/backend';
import { useTempDirs } from '../helpers/temp';
import { TINY_MODEL, TINY_TRAIN, tinyCorpus } from '../helpers/tiny';

const tempDir = useTempDirs();

let backend = '';
beforeAll(async () => {
  backend = (await useTestBackend()).name;
});

const corpus = tinyCorpus();
const model = { ...TINY_MODEL, numLayers: 2, dropout: 0.25 };

async function trainedBytes(steps = 3): Promise<Uint8Array> {
  const session = Session.create(corpus, model, { ...TINY_TRAIN, steps });
  await train(session, corpus);
  const bytes = encodeCheckpoint(session.toCheckpoint(backend));
  session.dispose();
  return bytes;
}

// Headers are edited as free-form JSON here, to build damaged files.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Rewrites a file's JSON header (keeping its tensor bytes) to make a damaged file. */
function withHeader(bytes: Uint8Array, edit: (header: Record<string, Json>) => void): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString());
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + length), 8 + json.length);
  return out;
}

/** Edits one JSON-valued metadata field in place. */
function edit(header: Record<string, Json>, key: string, change: (value: Json) => void): void {
  const value = JSON.parse(header.__metadata__[key]);
  change(value);
  header.__metadata__[key] = JSON.stringify(value);
}

function refusal(bytes: Uint8Array): string {
  try {
    decodeCheckpoint(bytes, 'bad.ckpt');
  } catch (err) {
    expect(err).toBeInstanceOf(FolioError);
    return (err as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('checkpoints', () => {
  it('round-trip bit-exactly, with PyTorch names in a valid safetensors layout', async () => {
    const bytes = await trainedBytes();
    const ckpt = decodeCheckpoint(bytes, 'a.ckpt');
    expect(encodeCheckpoint({ ...ckpt })).toEqual(bytes);
    const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect((8 + length) % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString());
    expect(header['gru.weight_ih_l1']).toMatchObject({ dtype: 'F32', shape: [72, 24] });
    expect(header['head.weight'].shape).toEqual([ckpt.config.vocabSize, 24]);
    expect(Object.values(header.__metadata__).every((v) => typeof v === 'string')).toBe(true);
    // Tensors are contiguous and cover the data exactly, as safetensors readers demand.
    const ranges = Object.entries(header)
      .filter(([k]) => k !== '__metadata__')
      .map(([, v]: [string, Json]) => v.data_offsets as number[])
      .sort((a, b) => a[0]! - b[0]!);
    ranges.forEach((r, i) => expect(r[0]).toBe(i === 0 ? 0 : ranges[i - 1]![1]));
    expect(ranges[ranges.length - 1]![1]).toBe(bytes.length - 8 - length);
    expect(ckpt.vocab).toEqual([...corpus.vocab.chars]);
    expect(ckpt.training.step).toBe(3);
    expect(ckpt.adam?.step).toBe(3);
  });

  it('resume exactly: 6 steps, save, load, 6 more equals 12 in one run', async () => {
    const losses = (events: TrainEvent[]) =>
      events.flatMap((e) => (e.type === 'step' ? [e.trainLoss] : []));
    const rates = (events: TrainEvent[]) =>
      events.flatMap((e) => (e.type === 'step' ? [e.lr] : []));
    // A decaying lr: the schedule must pick up where it left off, not restart.
    const settings = { ...TINY_TRAIN, lrDecay: 0.8 };
    const straight: TrainEvent[] = [];
    const one = Session.create(corpus, model, { ...settings, steps: 12 });
    await train(one, corpus, { onEvent: (e) => straight.push(e) });

    const resumed: TrainEvent[] = [];
    const first = Session.create(corpus, model, { ...settings, steps: 12 });
    let taken = 0;
    await train(first, corpus, { onEvent: (e) => resumed.push(e), shouldStop: () => ++taken >= 6 });
    const bytes = encodeCheckpoint(first.toCheckpoint(backend));
    first.dispose();
    const second = Session.fromCheckpoint(decodeCheckpoint(bytes, 'half.ckpt'));
    expect(second.training.step).toBe(6);
    await train(second, corpus, { onEvent: (e) => resumed.push(e) });

    const a = losses(straight);
    const b = losses(resumed);
    expect(b).toHaveLength(12);
    b.forEach((loss, i) => expect(Math.abs(loss - a[i]!)).toBeLessThan(1e-6));
    expect(rates(resumed)).toEqual(rates(straight));
    const finalA = one.params['head.weight']!.dataSync();
    const finalB = second.params['head.weight']!.dataSync();
    expect(Math.max(...finalA.map((v, i) => Math.abs(v - finalB[i]!)))).toBeLessThan(1e-6);
    one.dispose();
    second.dispose();
  });

  it.each([
    ['a zero-byte file', () => new Uint8Array(0), 'too short'],
    [
      'random bytes',
      () => Uint8Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) % 251),
      'header claims',
    ],
  ])('refuses %s', (_, make, reason) => {
    expect(refusal(make())).toContain(reason);
  });

  it('says a text file is a text file, not a checkpoint', () => {
    const text = new TextEncoder().encode(
      'First Citizen:\nBefore we proceed any further, hear me.\n',
    );
    expect(refusal(text)).toMatch(
      /starts with text \("First Citize"…\): it looks like a text file/,
    );
  });

  it('refuses damaged or foreign files, naming the problem', async () => {
    const good = await trainedBytes(1);
    expect(refusal(good.subarray(0, good.length - 100))).toMatch(
      /runs past the end of the file.*truncated/,
    );
    expect(refusal(good.subarray(0, 200))).toContain('header claims');
    const cases: [(h: Record<string, Json>) => void, RegExp][] = [
      [
        (h) => (h['head.bias'].data_offsets = [0, 10 ** 9]),
        /head.bias's data .* runs past the end/,
      ],
      [
        (h) => (h['gru.weight_hh_l0'].shape = [72, 25]),
        /gru.weight_hh_l0 has shape \[72,25\], but the config needs \[72,24\]/,
      ],
      [(h) => (h['embed.weight'].dtype = 'F16'), /embed.weight has dtype F16/],
      [(h) => delete h['head.weight'], /tensor head.weight is missing/],
      [(h) => delete h.__metadata__.vocab, /metadata field "vocab" is missing/],
      [
        (h) => (h.__metadata__.formatVersion = String(FORMAT_VERSION + 1)),
        /newer Folio.*update Folio/,
      ],
      [(h) => (h.__metadata__.format = 'something-else'), /no "folio.ckpt" format tag/],
      [(h) => (h.__metadata__.config = '{"hiddenSize": 0}'), /config is invalid/],
      [(h) => (h.__metadata__.corpus = 'null'), /corpus description is incomplete/],
      [(h) => edit(h, 'training', (t) => delete t.trainLoss), /loss history is malformed/],
      [(h) => edit(h, 'training', (t) => (t.settings.seqLen = 0)), /Sequence length must be/],
      [(h) => edit(h, 'training', (t) => (t.settings.lr = 'fast')), /Learning rate must be/],
      [(h) => edit(h, 'training', (t) => (t.settings.lrDecay = 2)), /Learning-rate decay must/],
      [(h) => edit(h, 'training', (t) => (t.step = -5)), /training step -5 is not/],
      [
        (h) => (h['head.bias'].data_offsets = h['head.weight'].data_offsets),
        /byte size does not match|overlaps/,
      ],
    ];
    for (const [edit, reason] of cases) expect(refusal(withHeader(good, edit))).toMatch(reason);
  });

  it('reads a checkpoint from before lrDecay existed as trained at a constant lr', async () => {
    const old = withHeader(await trainedBytes(1), (h) =>
      edit(h, 'training', (t) => delete t.settings.lrDecay),
    );
    expect(decodeCheckpoint(old, 'old.ckpt').training.settings.lrDecay).toBe(0);
  });

  it('refuses to save NaN weights', async () => {
    const ckpt = decodeCheckpoint(await trainedBytes(1), 'a.ckpt');
    ckpt.params['head.bias']![0] = NaN;
    expect(() => encodeCheckpoint(ckpt)).toThrow(/Refusing to save: head.bias holds NaN/);
  });

  it('saves atomically: a failed save leaves the previous file whole and no temporary files', async () => {
    const dir = tempDir('folio-ckpt-');
    const path = join(dir, 'model.ckpt');
    const ckpt = decodeCheckpoint(await trainedBytes(1), 'a.ckpt');
    await saveCheckpoint(path, ckpt);
    const before = readFileSync(path);
    const bad = structuredClone(ckpt);
    bad.params['embed.weight']![3] = Infinity;
    await expect(saveCheckpoint(path, bad)).rejects.toThrow(/Refusing to save/);
    mkdirSync(join(dir, 'taken.ckpt'));
    writeFileSync(join(dir, 'taken.ckpt', 'keep.txt'), 'x');
    await expect(saveCheckpoint(join(dir, 'taken.ckpt'), ckpt)).rejects.toThrow(
      /Could not save the checkpoint at .*taken.ckpt/,
    );
    await expect(saveCheckpoint(join(dir, 'no', 'such', 'x.ckpt'), ckpt)).rejects.toThrow(
      /the folder .*no\/such does not exist; create it or choose another/,
    );
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['model.ckpt', 'taken.ckpt']);
    await expect(loadCheckpoint(join(dir, 'missing.ckpt'))).rejects.toThrow(
      /Could not read the checkpoint/,
    );
  });

  it('saves through a symbolic link into its target, keeping the link', async () => {
    const dir = tempDir('folio-link-');
    const ckpt = decodeCheckpoint(await trainedBytes(1), 'a.ckpt');
    await saveCheckpoint(join(dir, 'target.ckpt'), ckpt);
    symlinkSync('target.ckpt', join(dir, 'link.ckpt'));
    ckpt.training.step = 99;
    await saveCheckpoint(join(dir, 'link.ckpt'), ckpt);
    expect(lstatSync(join(dir, 'link.ckpt')).isSymbolicLink()).toBe(true);
    expect((await loadCheckpoint(join(dir, 'target.ckpt'))).training.step).toBe(99);
    expect(readdirSync(dir).sort()).toEqual(['link.ckpt', 'target.ckpt']);
  });

  it('survives a process killed in the middle of saving: the file is always one whole checkpoint', async () => {
    const dir = tempDir('folio-kill-');
    const path = join(dir, 'model.ckpt');
    const script = join(dir, 'saver.mts');
    const engine = join(process.cwd(), 'src/main/engine/checkpoint.ts');
    writeFileSync(
      script,
      `import { decodeCheckpoint, saveCheckpoint } from ${JSON.stringify(engine)};
       import { readFileSync } from 'node:fs';
       const ckpt = decodeCheckpoint(readFileSync(process.argv[2]), 'seed.ckpt');
       console.log('ready');
       for (let i = 0; ; i++) { ckpt.training.step = i; await saveCheckpoint(process.argv[3], ckpt); }`,
    );
    const seed = join(dir, 'seed.ckpt');
    // A wide model (about 20 MB a file) makes each save long enough to be cut part-way.
    const wide = Session.create(corpus, { ...TINY_MODEL, hiddenSize: 640 }, TINY_TRAIN);
    writeFileSync(seed, encodeCheckpoint(wide.toCheckpoint(backend)));
    wide.dispose();
    for (const delay of [50, 170, 330]) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, seed, path], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`saver exited early (${code})`)));
      });
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      if (existsSync(path))
        expect(() => decodeCheckpoint(readFileSync(path), 'model.ckpt')).not.toThrow();
    }
    expect(existsSync(path)).toBe(true);
  });
});
