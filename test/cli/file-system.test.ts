/**
 * The CLI where the file system refuses, for real (under test/helpers/confined.ts, since
 * the tests run as root): an unreadable corpus or checkpoint, a read-only folder to save
 * in, a disk that fills up. One line each, a non-zero exit, and the checkpoint that was
 * there before stays as it was, with no temporary file beside it.
 */
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, corpus, dir, expectOneLineError, TINY, writeCorpus } from '../helpers/cli';
import { checkWrappers, obeyingFileModes, onFullDisk, removeTree } from '../helpers/confined';

/** A checkpoint of two steps on the cats corpus, to resume. */
const base = join(dir, 'fs-base.ckpt');

beforeAll(async () => {
  checkWrappers();
  writeCorpus();
  const run = await cli(['train', '--corpus', corpus, '--steps', '2', '--out', base, ...TINY]);
  expect(run.code, run.stderr).toBe(0);
});

afterAll(() => removeTree(dir));

describe('the CLI where the file system refuses', () => {
  it('says in one line that an unreadable corpus or checkpoint cannot be read', async () => {
    const secretText = join(dir, 'secret.txt');
    const secretModel = join(dir, 'locked.ckpt');
    writeFileSync(secretText, readFileSync(corpus));
    copyFileSync(base, secretModel);
    chmodSync(secretText, 0o000);
    chmodSync(secretModel, 0o000);
    const denied = /permission denied; check the file permissions/;
    const asUser = { wrap: obeyingFileModes };
    expectOneLineError(
      await cli(['train', '--corpus', secretText, ...TINY], undefined, asUser),
      /^folio: Could not read the corpus at .*secret\.txt: /,
      denied,
    );
    expectOneLineError(
      await cli(['train', '--corpus', corpus, '--resume', secretModel], undefined, asUser),
      /^folio: Could not read the checkpoint at .*locked\.ckpt: /,
      denied,
    );
    for (const args of [
      ['generate', secretModel],
      ['info', secretModel],
      ['eval', '--checkpoint', secretModel, '--corpus', corpus],
    ]) {
      expectOneLineError(await cli(args, undefined, asUser), /locked\.ckpt: permission denied/);
    }
  });

  it('refuses to train into a read-only folder before training, naming the folder', async () => {
    const folder = join(dir, 'read-only');
    mkdirSync(folder);
    copyFileSync(base, join(folder, 'model.ckpt'));
    chmodSync(folder, 0o555);
    const asUser = { wrap: obeyingFileModes };
    const resumed = await cli(
      ['train', '--corpus', corpus, '--resume', join(folder, 'model.ckpt'), '--steps', '4'],
      undefined,
      asUser,
    );
    expectOneLineError(
      resumed,
      `folio: Could not save the checkpoint at ${folder}/model.ckpt: the folder ${folder} ` +
        'does not let Folio create files there (permission denied); choose another folder ' +
        'or make this one writable.',
    );
    expect(resumed.stdout).toBe(''); // refused before the first step
    const fresh = await cli(
      ['train', '--corpus', corpus, '--out', join(folder, 'new.ckpt'), ...TINY],
      undefined,
      asUser,
    );
    expectOneLineError(fresh, /the folder .*read-only does not let Folio create files there/);
    expect(readFileSync(join(folder, 'model.ckpt'))).toEqual(readFileSync(base));
    expect(readdirSync(folder)).toEqual(['model.ckpt']);
  });

  it('says the disk is full when a save fails, and keeps the previous checkpoint whole', async () => {
    const disk = join(dir, 'disk');
    const report = join(dir, 'disk-report');
    mkdirSync(disk);
    mkdirSync(report);
    copyFileSync(base, join(dir, 'model.ckpt'));
    const run = await cli(
      ['train', '--corpus', corpus, '--resume', join(disk, 'model.ckpt'), '--steps', '4'],
      undefined,
      { wrap: (command) => onFullDisk(disk, [join(dir, 'model.ckpt')], command, report) },
    );
    expectOneLineError(
      run,
      `folio: Could not save the checkpoint at ${disk}/model.ckpt: the disk is full; free ` +
        'some space or choose another disk. The previous model.ckpt is unchanged. Training ' +
        'stopped at step 4 without saving it.',
    );
    expect(run.stdout).toMatch(/^step 4\/4 /m); // it trained, then could not save
    const after = join(report, 'after');
    expect(readdirSync(after).sort()).toEqual(['filler', 'model.ckpt']);
    expect(readFileSync(join(after, 'model.ckpt'))).toEqual(readFileSync(base));
  });
});
