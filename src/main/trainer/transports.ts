/**
 * Two ways to run a trainer under plain Node: in this process (tests, small tools) or in a
 * forked child (browser mode), so a long step never blocks the caller. Electron's utility
 * process has its own transport in src/main/electron/trainer-process.ts.
 */
import { fork } from 'node:child_process';
import type { TrainerTransport } from './client';
import { TrainerHost, type TrainerHostOptions } from './host';

/** The host runs here; messages are passed on the next microtask, as over a channel. */
export function inProcessTransport(options: Omit<TrainerHostOptions, 'send'>): TrainerTransport {
  let deliver: (message: unknown) => void = () => {};
  const host = new TrainerHost({
    ...options,
    send: (message) => queueMicrotask(() => deliver(message)),
  });
  return {
    post: (message) => queueMicrotask(() => void host.handle(message)),
    onMessage: (listener) => (deliver = listener),
    onExit: () => {},
    close: () => (deliver = () => {}),
  };
}

/**
 * The host in a child Node process started from `entry` (src/main/trainer/entry.ts, run
 * through the same loader as this process: fork reuses process.execArgv, which carries
 * tsx's when started by tsx). Messages use structured clone, so Uint8Arrays pass as they are.
 */
export function forkTransport(
  entry: string,
  args: string[],
  execArgv: string[] = process.execArgv,
): TrainerTransport & { pid: number | undefined } {
  const child = fork(entry, args, { serialization: 'advanced', stdio: 'inherit', execArgv });
  let closing = false;
  return {
    pid: child.pid,
    post: (message) => {
      if (child.connected) child.send(message as object);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) =>
      child.once('exit', (code, signal) => {
        if (!closing) listener(signal ? `signal ${signal}` : `exit code ${code}`);
      }),
    close: () => {
      closing = true;
      child.kill();
    },
  };
}
