/**
 * Standard output that may go away mid-run: a reader that quit (`| head`), a `tee` killed
 * by the same Ctrl-C, a full disk. Writing never throws; the first failure calls the
 * command's handler (training stops and saves) or, by default, ends the process: quietly
 * for a closed pipe, with one line for anything else.
 */
let closed = false;
let onClosed: (() => void) | undefined;

/** What to do when stdout fails; training uses this to stop and save instead of dying. */
export function onOutputClosed(handler: () => void): void {
  onClosed = handler;
}

export function out(text: string): void {
  if (closed) return;
  try {
    process.stdout.write(text);
  } catch (err) {
    outputFailed(err as NodeJS.ErrnoException);
  }
}

export function outLine(line: string): void {
  out(`${line}\n`);
}

function outputFailed(err: NodeJS.ErrnoException): void {
  if (closed) return;
  closed = true;
  const pipeClosed = err.code === 'EPIPE';
  if (!pipeClosed) {
    console.error(`folio: could not write to standard output (${err.code ?? err.message}).`);
  }
  if (onClosed) onClosed();
  else process.exit(pipeClosed ? 0 : 1);
}

process.stdout.on('error', outputFailed);

// Progress and messages go to stderr; when that closes too (`2>&1 | tee`, and tee died
// with the same Ctrl-C), carry on silently so the stop can still save.
process.stderr.on('error', () => undefined);

/** A status line for people, on stderr, so stdout stays the data. */
export function log(line: string): void {
  console.error(line);
}
