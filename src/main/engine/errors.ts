/**
 * The one error type the engine throws on purpose, and ioError, which turns a file-system
 * error into one. Its message says what was wrong and what to do; callers (CLI, app) show
 * `message` as it is and never a stack trace.
 */
import { dirname } from 'node:path';

export class FolioError extends Error {
  constructor(
    message: string,
    /** A stable tag so the app can react to a kind of problem without parsing text. */
    readonly code: FolioErrorCode = 'invalid-input',
  ) {
    super(message);
    this.name = 'FolioError';
  }
}

export type FolioErrorCode =
  | 'invalid-input'
  | 'invalid-setting'
  | 'bad-corpus'
  | 'bad-checkpoint'
  | 'io'
  | 'non-finite'
  | 'unknown-characters';

/**
 * A file-system error as one line: what failed, why, and what to do. `writing` says the
 * action creates a file: a refusal is then the folder's (files are written beside the
 * target, then renamed over it), so the message names the folder rather than the file.
 */
export function ioError(err: unknown, path: string, action: string, writing = false): FolioError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const denied = writing
    ? `the folder ${dirname(path)} does not let Folio create files there (permission denied); ` +
      'choose another folder or make this one writable'
    : 'permission denied; check the file permissions or choose another location';
  const why: Record<string, string> = {
    ENOENT: writing
      ? `the folder ${dirname(path)} does not exist; create it or choose another`
      : 'no such file; check the path',
    EACCES: denied,
    EPERM: denied,
    EISDIR: 'it is a folder; give a file path',
    ENOTDIR: 'a part of the path is not a folder; check the path',
    ENOSPC: 'the disk is full; free some space or choose another disk',
    EROFS: 'the file system is read-only; choose another location',
    EDQUOT: 'the disk quota is exceeded; free some space',
  };
  const reason = (code && why[code]) ?? (err instanceof Error ? err.message : String(err));
  return new FolioError(`Could not ${action} at ${path}: ${reason}.`, 'io');
}
