/**
 * Running the real CLI in a child process, as `npm run cli` does (node --import tsx), in a
 * temporary folder of its own, and checking how it refuses things.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect } from 'vitest';

export const MAIN = resolve('src/main/cli/main.ts');
// The runs happen in a temporary folder, so tsx is named by its file, not its package name.
export const TSX = pathToFileURL(resolve('node_modules/tsx/dist/loader.mjs')).href;
export const dir = mkdtempSync(join(tmpdir(), 'folio-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
export const corpus = join(dir, 'cats.txt');
/** A model small enough to train in a second. */
export const TINY = [
  '--hidden-size',
  '16',
  '--embed-size',
  '8',
  '--seq-len',
  '12',
  '--batch-size',
  '4',
  '--eval-every',
  '10',
];

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Control {
  kill: (signal: NodeJS.Signals) => void;
  /** Closes the reading end of the CLI's stdout, as `| head` does when it has enough. */
  closeStdout: () => void;
}

export function cli(
  args: string[],
  onStdout?: (text: string, control: Control) => void,
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    /** Runs the CLI inside another command (see confined.ts), e.g. with a full disk. */
    wrap?: (command: string[]) => string[];
  } = {},
): Promise<Run> {
  const wrap = options.wrap ?? ((command: string[]) => command);
  const [file, ...rest] = wrap([process.execPath, '--import', TSX, MAIN, ...args]);
  return new Promise((done) => {
    const child = spawn(file!, rest, {
      cwd: options.cwd ?? dir,
      env: options.env ?? { ...process.env, npm_lifecycle_event: 'test' },
    });
    child.on('error', (err) => done({ code: null, stdout: '', stderr: `${file}: ${err.message}` }));
    let stdout = '';
    let stderr = '';
    const control: Control = {
      kill: (signal) => child.kill(signal),
      closeStdout: () => child.stdout.destroy(),
    };
    // Decoded as a stream, so a character split between two chunks stays whole and only
    // bytes that are not UTF-8 become U+FFFD.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      stdout += d;
      onStdout?.(stdout, control);
    });
    child.stderr.on('data', (d: string) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * A refusal is a non-zero exit and one line on stderr starting "folio:" (after any progress
 * lines printed before the problem showed), with no stack trace.
 */
export function expectOneLineError(run: Run, ...parts: (string | RegExp)[]) {
  expect(run.code, run.stderr).not.toBe(0);
  const lines = run.stderr.trim().split('\n');
  const errors = lines.filter((line) => line.startsWith('folio:'));
  expect(errors, run.stderr).toHaveLength(1);
  expect(lines[lines.length - 1]).toBe(errors[0]);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  for (const part of parts) expect(errors[0]).toMatch(part);
}

/** The little corpus most CLI tests train on. */
export function writeCorpus(): void {
  writeFileSync(corpus, 'the cat sat on the mat. the dog sat on the log.\n'.repeat(60));
}
