/**
 * Entry of the trainer process. Electron starts it as a utility process (messages on
 * process.parentPort); browser mode and tests fork it under Node (process.send). Either
 * way it runs a TrainerHost and exits when its parent goes.
 *
 * Arguments: --data-dir DIR (autosaves, corpus cache), --corpus-url URL (the built-in
 * corpus's source, for tests and mirrors), --backend auto|native|wasm|cpu.
 */
import { parseArgs } from 'node:util';
import { parseBackend } from '../engine/backend';
import { TINY_SHAKESPEARE } from './builtin-corpus';
import { TrainerHost, type TrainerHostOptions } from './host';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    'corpus-url': { type: 'string' },
    backend: { type: 'string', default: 'auto' },
  },
});
const options: Omit<TrainerHostOptions, 'send'> = {
  dataDir: values['data-dir'],
  builtinCorpus: { ...TINY_SHAKESPEARE, url: values['corpus-url'] ?? TINY_SHAKESPEARE.url },
  backend: parseBackend(values.backend ?? 'auto'),
};

const parentPort = (process as { parentPort?: ParentPort }).parentPort;
if (parentPort) {
  const host = new TrainerHost({ ...options, send: (m) => parentPort.postMessage(m) });
  parentPort.on('message', (event) => void host.handle(event.data));
} else if (process.send) {
  const host = new TrainerHost({ ...options, send: (m) => process.send?.(m) });
  process.on('message', (message) => void host.handle(message));
  process.on('disconnect', () => process.exit(0));
} else {
  console.error('Trainer: start me from Folio or with child_process.fork; I talk over IPC only.');
  process.exit(2);
}
