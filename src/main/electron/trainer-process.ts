/**
 * The trainer in Electron's utility process: a Node process of its own, so training never
 * blocks the window or main. Its messages use structured clone (Uint8Arrays pass as they
 * are). The TrainerClient around it restarts it when it dies.
 */
import { utilityProcess } from 'electron';
import type { TrainerTransport } from '../trainer/client';

export function utilityTransport(entry: string, args: string[]): TrainerTransport {
  const child = utilityProcess.fork(entry, args, {
    serviceName: 'Folio trainer',
    stdio: 'inherit',
  });
  let closing = false;
  return {
    post: (message) => child.postMessage(message),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) =>
      void child.once('exit', (code) => {
        if (!closing) listener(`exit code ${code}`);
      }),
    close: () => {
      closing = true;
      child.kill();
    },
  };
}
