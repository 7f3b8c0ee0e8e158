/**
 * Reading and saving where the file system refuses, for real: a file nobody may read, a
 * folder nobody may write in, a disk with no byte left. The engine runs in a child process
 * under the wrappers of test/helpers/confined.ts, since these tests run as root.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../../src/main/engine/checkpoint';
import { Session } from '../../src/main/engine/session';
import { useTestBackend } from '../helpers/backend';
import { TSX } from '../helpers/cli';
import { checkWrappers, obeyingFileModes, onFullDisk, removeTree } from '../helpers/confined';
import type { EngineOp } from '../helpers/engine-io';
import { TINY_MODEL, TINY_TRAIN, tinyCorpus } from '../helpers/tiny';

const ENGINE_IO = join(process.cwd(), 'test/helpers/engine-io.ts');
const temp = mkdtempSync(join(tmpdir(), 'folio-fs-'));
/** Two different models' checkpoint bytes: the file already there, and the one to save. */
let older: Uint8Array;
let newer: string;

beforeAll(async () => {
  checkWrappers();
  const backend = (await useTestBackend()).name;
  const bytes = (seed: number) => {
    const session = Session.create(tinyCorpus(), TINY_MODEL, { ...TINY_TRAIN, seed });
    const encoded = encodeCheckpoint(session.toCheckpoint(backend));
    session.dispose();
    return encoded;
  };
  older = bytes(1);
  newer = join(temp, 'newer.ckpt');
  writeFileSync(newer, bytes(2));
});
afterAll(() => removeTree(temp));

interface Outcome {
  ok?: true;
  error?: string;
  code?: string;
}

/** Runs the operations in one child under `wrap`; resolves with one outcome per operation. */
function engine(wrap: (command: string[]) => string[], ops: EngineOp[]): Promise<Outcome[]> {
  const [file, ...args] = wrap([process.execPath, '--import', TSX, ENGINE_IO, JSON.stringify(ops)]);
  return new Promise((resolve, reject) => {
    const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      const lines = stdout.trim().split('\n').filter(Boolean);
      if (lines.length !== ops.length) reject(new Error(`engine-io printed ${stdout}${stderr}`));
      else resolve(lines.map((line) => JSON.parse(line) as Outcome));
    });
  });
}

/** A folder holding model.ckpt (the older model) and notes.txt, made read-only. */
function readOnlyFolder(): string {
  const folder = join(temp, 'read-only');
  mkdirSync(folder);
  writeFileSync(join(folder, 'model.ckpt'), older);
  writeFileSync(join(folder, 'notes.txt'), 'my notes');
  chmodSync(folder, 0o555);
  return folder;
}

describe('the engine where the file system refuses', () => {
  it('says in one line that an unreadable corpus or checkpoint cannot be read', async () => {
    const corpus = join(temp, 'secret.txt');
    const ckpt = join(temp, 'secret.ckpt');
    writeFileSync(corpus, 'the cat sat on the mat.\n');
    writeFileSync(ckpt, older);
    chmodSync(corpus, 0o000);
    chmodSync(ckpt, 0o000);
    const [readCorpus, loadCheckpoint] = await engine(obeyingFileModes, [
      ['read-corpus', corpus],
      ['load-checkpoint', ckpt],
    ]);
    expect(readCorpus).toEqual({
      error: `Could not read the corpus at ${corpus}: permission denied; check the file permissions or choose another location.`,
      code: 'io',
    });
    expect(loadCheckpoint?.error).toMatch(
      /^Could not read the checkpoint at .*secret\.ckpt: permission denied/,
    );
  });

  it('refuses to save into a read-only folder, naming it, and leaves its files as they were', async () => {
    const folder = readOnlyFolder();
    const [checkpoint, text] = await engine(obeyingFileModes, [
      ['save-checkpoint', newer, join(folder, 'model.ckpt')],
      ['save-text', join(folder, 'notes.txt'), 'overwritten'],
    ]);
    expect(checkpoint).toEqual({
      error:
        `Could not save the checkpoint at ${folder}/model.ckpt: the folder ${folder} does not ` +
        'let Folio create files there (permission denied); choose another folder or make this ' +
        'one writable. The previous model.ckpt is unchanged.',
      code: 'io',
    });
    expect(text?.error).toMatch(
      /^Could not save the text at .*notes\.txt: the folder .* does not let/,
    );
    expect(readFileSync(join(folder, 'model.ckpt'))).toEqual(Buffer.from(older));
    expect(readFileSync(join(folder, 'notes.txt'), 'utf8')).toBe('my notes');
    expect(readdirSync(folder).sort()).toEqual(['model.ckpt', 'notes.txt']);
  });

  it('says the disk is full and leaves the previous files whole, with no temporary files', async () => {
    const disk = join(temp, 'disk');
    const report = join(temp, 'report');
    mkdirSync(disk);
    mkdirSync(report);
    const model = join(temp, 'model.ckpt');
    const notes = join(temp, 'notes.txt');
    writeFileSync(model, older);
    writeFileSync(notes, 'my notes');
    const ops: EngineOp[] = [
      ['save-checkpoint', newer, join(disk, 'model.ckpt')],
      ['save-text', join(disk, 'notes.txt'), 'overwritten'],
    ];
    const [checkpoint, text] = await engine(
      (command) => onFullDisk(disk, [model, notes], command, report),
      ops,
    );
    expect(checkpoint).toEqual({
      error:
        `Could not save the checkpoint at ${disk}/model.ckpt: the disk is full; free some ` +
        'space or choose another disk. The previous model.ckpt is unchanged.',
      code: 'io',
    });
    expect(text?.error).toMatch(
      /notes\.txt: the disk is full.*The previous notes\.txt is unchanged/,
    );
    const after = join(report, 'after');
    expect(readdirSync(after).sort()).toEqual(['filler', 'model.ckpt', 'notes.txt']);
    expect(readFileSync(join(after, 'model.ckpt'))).toEqual(Buffer.from(older));
    expect(readFileSync(join(after, 'notes.txt'), 'utf8')).toBe('my notes');
  });
});
