/**
 * The built-in corpus, Tiny Shakespeare: downloaded once from its public source, checked
 * against its SHA-256 and size, and cached in the data folder, so later uses work offline.
 * Nothing that fails the check is used or cached.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FolioError } from '../engine/errors';

export interface BuiltinCorpus {
  /** Shown to the user and used as the corpus name. */
  title: string;
  fileName: string;
  url: string;
  sha256: string;
  bytes: number;
}

/** The source the app uses; tests and `npm run serve -- --corpus-url` point elsewhere. */
export const TINY_SHAKESPEARE: BuiltinCorpus = {
  title: 'Tiny Shakespeare',
  fileName: 'tinyshakespeare.txt',
  url: 'https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt',
  sha256: '86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed',
  bytes: 1_115_394,
};

const DOWNLOAD_TIMEOUT_MS = 60_000;

/** The corpus's bytes from `cacheDir`, or downloaded (then cached) when absent or damaged. */
export async function loadBuiltinCorpus(
  source: BuiltinCorpus,
  cacheDir: string | undefined,
): Promise<Uint8Array> {
  const cached = cacheDir ? join(cacheDir, source.fileName) : undefined;
  if (cached) {
    const bytes = await readFile(cached).catch(() => undefined);
    if (bytes && matches(bytes, source)) return bytes;
  }
  const bytes = await download(source);
  if (cached) await cacheCopy(cached, bytes);
  return bytes;
}

async function download(source: BuiltinCorpus): Promise<Uint8Array> {
  const host = new URL(source.url).host;
  const failed = (why: string) =>
    new FolioError(
      `Could not download ${source.title} from ${host}: ${why}. Check the internet connection ` +
        `and try again, or open a copy you have with "Open text file…".`,
      'io',
    );
  let response: Response;
  try {
    response = await fetch(source.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (err) {
    throw failed(networkReason(err));
  }
  if (!response.ok) throw failed(`the server answered ${response.status} ${response.statusText}`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    throw failed(networkReason(err));
  }
  if (!matches(bytes, source)) {
    throw new FolioError(
      `The downloaded ${source.title} is not the expected file (${bytes.length} bytes with ` +
        `SHA-256 ${sha256(bytes).slice(0, 12)}…, expected ${source.bytes} bytes with ` +
        `${source.sha256.slice(0, 12)}…), so it was not used. Try again later, or open a ` +
        `copy you trust with "Open text file…".`,
      'bad-corpus',
    );
  }
  return bytes;
}

function matches(bytes: Uint8Array, source: BuiltinCorpus): boolean {
  return bytes.length === source.bytes && sha256(bytes) === source.sha256;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Node's fetch hides the reason in `cause` ("fetch failed" / ECONNREFUSED). */
function networkReason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') {
    return `no answer within ${DOWNLOAD_TIMEOUT_MS / 1000} s`;
  }
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN')
    return 'the computer seems offline';
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

/** Best effort: a cache that cannot be written only costs a download next time. */
async function cacheCopy(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}
