/**
 * Writing a file so that it is either the old one or the new one, never half: the bytes go
 * to a temporary name in the same folder, are flushed to disk, then renamed over the
 * target. A full disk, a read-only folder, a crash or a kill mid-write leave the previous
 * file whole and no temporary file behind (a kill can leave one, named `.NAME.*.tmp`).
 * Checkpoints and the studio's generated text are saved this way.
 */
import { randomBytes } from 'node:crypto';
import { open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ioError } from './errors';

/**
 * Writes `bytes` to `path` atomically. On failure throws a FolioError that names the
 * problem and the fix (`action` as in "Could not save the checkpoint at …") and says the
 * previous file, if there was one, is unchanged.
 */
export async function writeFileAtomic(
  shownPath: string,
  bytes: Uint8Array,
  action: string,
): Promise<void> {
  // Through a symbolic link to its target: renaming over the link itself would replace
  // the link with a file and leave the target old.
  const path = await realpath(shownPath).catch(() => shownPath);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', 0o644);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    const error = ioError(err, shownPath, action, true);
    const previous = await stat(path).catch(() => undefined);
    if (previous?.isFile()) error.message += ` The previous ${basename(path)} is unchanged.`;
    throw error;
  }
  await syncFolder(dirname(path));
}

/** Makes the rename itself durable; some platforms cannot open folders, which is fine. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const dir = await open(folder, 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // best effort
  }
}
