/**
 * The studio's saves where the file system refuses, for real: the trainer runs as its own
 * process (as in browser mode) under the wrappers of test/helpers/confined.ts, since the
 * tests run as root. Save as… into a read-only folder or onto a full disk is refused with
 * the reason (the studio shows it inline), failed autosaves arrive as warnings while
 * training goes on, and the files already there stay whole.
 */
import { fork } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TrainerClient, type TrainerTransport } from '../../../src/main/trainer/client';
import type { StudioEvent } from '../../../src/shared/contract';
import { checkWrappers, obeyingFileModes, onFullDisk, removeTree } from '../../helpers/confined';
import { nextEvent, smallCorpusText, TINY_MODEL, TINY_TRAIN } from '../../helpers/studio';

const entry = new URL('../../../src/main/trainer/entry.ts', import.meta.url).pathname;
const temp = mkdtempSync(join(tmpdir(), 'folio-trainer-fs-'));
/** A checkpoint file that is already there before the trainer saves. */
const previous = join(temp, 'previous.ckpt');
let client: TrainerClient | undefined;
let pid: number | undefined;

beforeAll(async () => {
  checkWrappers();
  // Any checkpoint will do: the one a plain trainer exports after a tiny run.
  const plain = trainerUnder((command) => command, []);
  await trainTiny(plain, false);
  writeFileSync(previous, (await plain.call('exportCheckpoint', {})).bytes);
  plain.close();
});
afterEach(() => client?.close());
afterAll(() => removeTree(temp));

/** A trainer process started inside `wrap` (see confined.ts), with `args` for entry.ts. */
function trainerUnder(wrap: (command: string[]) => string[], args: string[]): TrainerClient {
  const [execPath, ...execArgv] = wrap([process.execPath, '--import', 'tsx']);
  return new TrainerClient((): TrainerTransport => {
    const child = fork(entry, [...args, '--corpus-url', 'http://127.0.0.1:0/not-used'], {
      execPath,
      execArgv,
      serialization: 'advanced',
      stdio: 'inherit',
    });
    pid = child.pid;
    return {
      post: (message) => child.connected && child.send(message as object),
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.once('exit', (code) => listener(`exit code ${code}`)),
      close: () => child.kill(),
    };
  });
}

/** Trains a tiny model; with `autosaves`, also waits for the autosave at the run's end. */
async function trainTiny(trainer: TrainerClient, autosaves = true): Promise<StudioEvent[]> {
  const events: StudioEvent[] = [];
  const off = trainer.onEvent((event) => events.push(event));
  await trainer.call('openCorpus', {
    name: 'small.txt',
    bytes: new TextEncoder().encode(smallCorpusText()),
    encoding: 'utf-8',
    normalizeNewlines: true,
  });
  const done = nextEvent(trainer, (e) => e.type === 'done');
  // The autosave at the end of a run follows its 'done' event.
  const lastSave = autosaves
    ? nextEvent(trainer, (e) =>
        /"kind":"autosave"|Autosave failed[^"]*autosave\.ckpt/.test(JSON.stringify(e)),
      )
    : undefined;
  await trainer.call('train', { model: TINY_MODEL, settings: TINY_TRAIN, resume: false });
  await done;
  await lastSave;
  off();
  return events;
}

function warnings(events: StudioEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
}

describe('the trainer where the file system refuses', () => {
  it('refuses an unreadable corpus, and saves into a read-only folder, naming it', async () => {
    const folder = join(temp, 'read-only');
    mkdirSync(folder);
    copyFileSync(previous, join(folder, 'autosave.ckpt'));
    const secret = join(temp, 'secret.txt');
    writeFileSync(secret, smallCorpusText());
    chmodSync(secret, 0o000);
    chmodSync(folder, 0o555);
    client = trainerUnder(obeyingFileModes, ['--data-dir', folder]);

    await expect(
      client.call('openCorpusFile', { path: secret, encoding: 'utf-8', normalizeNewlines: true }),
    ).rejects.toThrow(`Could not read the corpus at ${secret}: permission denied;`);
    const denied =
      `the folder ${folder} does not let Folio create files there (permission denied); ` +
      'choose another folder or make this one writable.';
    const events = await trainTiny(client);
    // A new model sets the last one's autosaves aside first: here that is refused too.
    expect(warnings(events)).toContain(
      `Could not set the last model's autosave.ckpt aside at ${folder}/autosave.ckpt: ` +
        `${denied} New saves may replace it.`,
    );
    expect(warnings(events)).toContain(
      `Autosave failed: Could not save the checkpoint at ${folder}/autosave.ckpt: ${denied} ` +
        'The previous autosave.ckpt is unchanged.',
    );
    expect(events.some((e) => e.type === 'autosaved')).toBe(false);
    await expect(
      client.call('saveCheckpoint', { path: join(folder, 'model.ckpt') }),
    ).rejects.toThrow(`Could not save the checkpoint at ${folder}/model.ckpt: ${denied}`);
    expect(readdirSync(folder)).toEqual(['autosave.ckpt']);
    expect(readFileSync(join(folder, 'autosave.ckpt'))).toEqual(readFileSync(previous));
  });

  it('says the disk is full when saving or autosaving, and keeps the previous files whole', async () => {
    const disk = join(temp, 'disk');
    mkdirSync(disk);
    const model = join(temp, 'model.ckpt');
    copyFileSync(previous, model);
    copyFileSync(previous, join(temp, 'autosave.ckpt'));
    client = trainerUnder(
      (command) => onFullDisk(disk, [model, join(temp, 'autosave.ckpt')], command),
      ['--data-dir', disk],
    );
    const full = 'the disk is full; free some space or choose another disk.';
    const events = await trainTiny(client);
    // The last model's autosave was set aside (a rename needs no space), then the new one
    // could not be written.
    expect(warnings(events)).toContain(
      `Autosave failed: Could not save the checkpoint at ${disk}/autosave.ckpt: ${full}`,
    );
    await expect(client.call('saveCheckpoint', { path: join(disk, 'model.ckpt') })).rejects.toThrow(
      `Could not save the checkpoint at ${disk}/model.ckpt: ${full} The previous model.ckpt is unchanged.`,
    );
    // The full disk exists only in the trainer's mount namespace: look through its root.
    const seen = `/proc/${pid}/root${disk}`;
    expect(readdirSync(seen).sort()).toEqual(['filler', 'model.ckpt', 'previous-autosave.ckpt']);
    expect(readFileSync(join(seen, 'model.ckpt'))).toEqual(readFileSync(previous));
    expect(readFileSync(join(seen, 'previous-autosave.ckpt'))).toEqual(readFileSync(previous));
  });
});
