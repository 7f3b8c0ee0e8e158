/** `npm run serve` refuses bad options in one line, before building or listening. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../helpers/temp';

const tempDir = useTempDirs();
const entry = new URL('../../../src/main/server/main.ts', import.meta.url).pathname;

function serve(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { encoding: 'utf8' });
}

describe('npm run serve', () => {
  it.each([
    [['--bogus'], /^Serve: Unknown option '--bogus'\. Run `npm run serve -- --help`/],
    [['--port'], /^Serve: Option '--port <value>' argument missing/],
    [['--port', '70000'], /^Serve: --port must be a whole number from 0 to 65535, got 70000/],
  ])('refuses %j in one line', (args, message) => {
    const run = serve(args);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('refuses a --data-dir that is a file', () => {
    const file = join(tempDir('folio-serve-opts-'), 'not-a-folder');
    writeFileSync(file, 'x');
    const run = serve(['--data-dir', file]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      `Serve: --data-dir ${file} is a file; give a folder (it is made if missing).`,
    );
  });
});
