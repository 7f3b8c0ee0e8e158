/**
 * How a training run ends when it is interrupted: Ctrl-C (once, or relayed twice by npm),
 * a reader that goes away, or standard output that cannot be written. It must save first.
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../src/main/engine/checkpoint';
import {
  cli,
  corpus,
  dir,
  expectOneLineError,
  MAIN,
  TINY,
  TSX,
  writeCorpus,
  type Control,
  type Run,
} from '../helpers/cli';

beforeAll(writeCorpus);

describe('stopping the CLI', () => {
  /** Trains "for ever" and, once step 3 is printed, does `act` to the process. */
  function trainUntilStep3(out: string, act: (control: Control) => void): Promise<Run> {
    let acted = false;
    const args = ['train', '--corpus', corpus, '--steps', '100000', '--out', out];
    return cli([...args, '--log-every', '1', ...TINY], (text, control) => {
      if (!acted && /^step +3\//m.test(text)) {
        acted = true;
        act(control);
      }
    });
  }

  function expectSavedAfterStop(run: Run, name: string) {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`stopped at step \\d+ .*saved .*${name}`));
    const ckpt = decodeCheckpoint(readFileSync(join(dir, name)), name);
    expect(ckpt.training.step).toBeGreaterThanOrEqual(3);
    expect(ckpt.training.step).toBeLessThan(100000);
  }

  it('saves a checkpoint when stopped with Ctrl-C', async () => {
    expectSavedAfterStop(
      await trainUntilStep3('stopped.ckpt', (c) => c.kill('SIGINT')),
      'stopped.ckpt',
    );
  });

  it('takes one Ctrl-C delivered twice at once (terminal and npm) as one', async () => {
    const run = await trainUntilStep3('twice.ckpt', (c) => {
      c.kill('SIGINT');
      c.kill('SIGINT');
    });
    expectSavedAfterStop(run, 'twice.ckpt');
  });

  it('stops and saves when the reader of its output goes away', async () => {
    const run = await trainUntilStep3('piped.ckpt', (c) => c.closeStdout());
    expect(run.stderr).toMatch(/standard output closed: stopping after this step and saving/);
    expectSavedAfterStop(run, 'piped.ckpt');
  });

  it('says in one line when standard output cannot be written', async () => {
    const run = await new Promise<Run>((done) => {
      const child = spawn(process.execPath, ['--import', TSX, MAIN, 'train', '--help'], {
        cwd: dir,
        stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (code) => done({ code, stdout: '', stderr }));
    });
    expectOneLineError(run, /could not write to standard output \(ENOSPC\)/);
  });
});
