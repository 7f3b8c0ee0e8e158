/**
 * The engine's file reads and writes, run as a child process so a test can run them under
 * the wrappers of confined.ts (root without its file-mode override, a full disk). Takes a
 * JSON list of operations and prints one JSON line for each: {"ok": true} or
 * {"error": message, "code": code}.
 *
 *   ["read-corpus", PATH]
 *   ["load-checkpoint", PATH]
 *   ["save-checkpoint", FROM, TO]   the model in FROM saved as TO
 *   ["save-text", PATH, TEXT]
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../src/main/engine/atomic-file';
import { decodeCheckpoint, loadCheckpoint, saveCheckpoint } from '../../src/main/engine/checkpoint';
import { readCorpus } from '../../src/main/engine/corpus';

export type EngineOp =
  | ['read-corpus', string]
  | ['load-checkpoint', string]
  | ['save-checkpoint', string, string]
  | ['save-text', string, string];

async function run([op, path, extra]: EngineOp): Promise<unknown> {
  switch (op) {
    case 'read-corpus':
      return readCorpus(path);
    case 'load-checkpoint':
      return loadCheckpoint(path);
    case 'save-checkpoint':
      return saveCheckpoint(extra, decodeCheckpoint(readFileSync(path), path));
    case 'save-text':
      return writeFileAtomic(path, new TextEncoder().encode(extra), 'save the text');
  }
}

for (const op of JSON.parse(process.argv[2] ?? '[]') as EngineOp[]) {
  try {
    await run(op);
    console.log(JSON.stringify({ ok: true }));
  } catch (err) {
    const { message, code } = err as { message: string; code?: string };
    console.log(JSON.stringify({ error: message, code }));
  }
}
