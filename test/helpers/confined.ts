/**
 * Commands run where the file system says no. Tests run as root (CI does too), and root
 * ignores file modes and never meets a full disk, so two util-linux wrappers make the
 * refusals real:
 *
 * - obeyingFileModes: `setpriv` drops the capabilities that let root pass file modes
 *   (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so a mode-000 file cannot be read and a
 *   mode-555 folder takes no new file. Any other user obeys modes already.
 * - onFullDisk: `unshare` gives the command a mount namespace of its own with a small tmpfs
 *   over a folder, holding copies of some files and filled to the last byte, so every
 *   write there fails with ENOSPC. The mount lives only as long as the command: nothing
 *   outside sees it, nothing is left mounted.
 *
 * checkWrappers() proves both work here; a test file calls it first, so a machine where
 * they cannot run fails the tests with the reason instead of skipping them.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const isRoot = process.getuid?.() === 0;

/** `command` with root's right to ignore file modes taken away (unchanged for other users). */
export function obeyingFileModes(command: string[]): string[] {
  if (!isRoot) return command;
  const dropped = '-dac_override,-dac_read_search';
  return ['setpriv', '--bounding-set', dropped, '--inh-caps', '-all', '--', ...command];
}

/**
 * Mounts a full tmpfs at $1, copies the files listed up to "--" into it, then runs the
 * rest. With a report folder ($2 not "-") it waits for the command, copies what the disk
 * then holds into $2/after and exits with the command's code; without one it execs the
 * command, whose process (and /proc/PID/root) then shows the disk from outside.
 */
const FULL_DISK_SCRIPT = `
set -eu
disk=$1; report=$2; shift 2
mount -t tmpfs -o size=256k folio-full-disk "$disk"
while [ "$1" != -- ]; do cp "$1" "$disk/"; shift; done
shift
head -c 1048576 /dev/zero > "$disk/filler" 2>/dev/null || true
if printf x > "$disk/.fill-check" 2>/dev/null; then
  echo "full-disk wrapper: $disk still takes writes after filling it" >&2; exit 90
fi
rm -f "$disk/.fill-check"
if [ "$report" = - ]; then exec "$@"; fi
set +e
"$@"; code=$?
mkdir -p "$report/after" && cp -a "$disk/." "$report/after/"
exit $code
`;

/**
 * `command` run with `disk` (an empty folder) as a full disk holding copies of `files`.
 * `report`: a folder to copy the disk's final contents into (`report/after`), or undefined
 * to exec the command in place (for long-lived processes; read the disk through
 * /proc/PID/root).
 */
export function onFullDisk(
  disk: string,
  files: string[],
  command: string[],
  report?: string,
): string[] {
  // Other users need a user namespace of their own to mount anything.
  const unshare = isRoot
    ? ['unshare', '--mount']
    : ['unshare', '--user', '--map-root-user', '--mount'];
  return [
    ...unshare,
    'sh',
    '-c',
    FULL_DISK_SCRIPT,
    'full-disk',
    disk,
    report ?? '-',
    ...files,
    '--',
    ...command,
  ];
}

/** Throws, saying why, unless both wrappers behave as described above on this machine. */
export function checkWrappers(): void {
  const temp = mkdtempSync(join(tmpdir(), 'folio-wrappers-'));
  try {
    const secret = join(temp, 'secret.txt');
    writeFileSync(secret, 'x');
    chmodSync(secret, 0o000);
    const read = run(obeyingFileModes(['cat', secret]));
    if (read.status === 0 || !/Permission denied/.test(read.output)) {
      throw new Error(
        `the file-mode wrapper (${obeyingFileModes([]).join(' ') || 'none'}) did not make a ` +
          `mode-000 file unreadable: ${read.output || `exit ${read.status}`}. It needs ` +
          "util-linux's setpriv and permission to drop capabilities.",
      );
    }
    const disk = join(temp, 'disk');
    mkdirSync(disk);
    const write = run(onFullDisk(disk, [], ['sh', '-c', 'head -c 1 /dev/zero > "$0/new"', disk]));
    if (write.status === 0 || !/No space left on device/.test(write.output)) {
      throw new Error(
        `the full-disk wrapper (unshare and a tmpfs mount) did not give a full disk: ` +
          `${write.output || `exit ${write.status}`}. It needs util-linux's unshare and ` +
          'permission to mount a tmpfs in a new mount namespace.',
      );
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Removes a test's folder, with the modes the tests took away given back first. */
export function removeTree(path: string): void {
  spawnSync('chmod', ['-R', 'u+rwX', path]);
  rmSync(path, { recursive: true, force: true });
}

function run(command: string[]): { status: number | null; output: string } {
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
  if (result.error) return { status: null, output: `${command[0]}: ${result.error.message}` };
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}
