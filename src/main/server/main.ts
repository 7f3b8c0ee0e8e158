/**
 * `npm run serve`: the studio in a browser, for machines without a display or a bigger
 * remote machine. Starts a trainer process, serves the built renderer and prints the
 * address to open (with its random token).
 *
 *   npm run serve -- [--port 5170] [--host 127.0.0.1] [--public-host NAME]
 *                    [--data-dir DIR] [--corpus-url URL] [--backend auto]
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TrainerClient } from '../trainer/client';
import { forkTransport } from '../trainer/transports';
import { startStudioServer } from './server';

const HELP = `Usage: npm run serve -- [options]

Serves the Folio studio to a browser, with training in a separate Node process.

  --port N            port to listen on (default 5170; 0 picks a free one)
  --host ADDR         address to listen on (default 127.0.0.1, this machine only)
  --public-host NAME  another host name the browser may use (with --host 0.0.0.0); repeatable
  --data-dir DIR      autosaves and the corpus cache (default ~/.folio)
  --corpus-url URL    where to download the built-in Tiny Shakespeare from
  --backend NAME      auto (default), native, wasm or cpu`;

/** The options, or one line saying which is wrong (parseArgs throws with a stack). */
function readOptions() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string', default: '5170' },
        host: { type: 'string', default: '127.0.0.1' },
        'public-host': { type: 'string', multiple: true, default: [] },
        'data-dir': { type: 'string', default: join(homedir(), '.folio') },
        'corpus-url': { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0]!.replace(/\.+$/, '');
    console.error(`Serve: ${reason}. Run \`npm run serve -- --help\` for the options.`);
    process.exit(2);
  }
}

const values = readOptions();

async function main(): Promise<number> {
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Serve: --port must be a whole number from 0 to 65535, got ${values.port}.`);
    return 2;
  }
  const dataDir = values['data-dir'];
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
    console.error(`Serve: --data-dir ${dataDir} is a file; give a folder (it is made if missing).`);
    return 2;
  }
  const root = new URL('../../../', import.meta.url).pathname;
  const rendererDir = join(root, 'out/renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    console.error(`Serve: no built studio in ${rendererDir}; run \`npm run build\` first.`);
    return 1;
  }
  const trainerArgs = ['--data-dir', dataDir, '--backend', values.backend];
  if (values['corpus-url']) trainerArgs.push('--corpus-url', values['corpus-url']);
  const entry = join(root, 'src/main/trainer/entry.ts');
  const trainer = new TrainerClient(
    () => forkTransport(entry, trainerArgs),
    (line) => console.error(line),
  );
  const server = await startStudioServer({
    rendererDir,
    trainer,
    host: values.host,
    port,
    publicHosts: values['public-host'],
  });
  if (!['127.0.0.1', 'localhost', '::1'].includes(values.host)) {
    console.error(
      `Serve: listening on ${values.host}: anyone who can reach it and has the token can ` +
        'use this trainer. The connection is not encrypted; prefer an SSH tunnel.',
    );
  }
  console.log(`Folio studio: ${server.url}`);
  const quit = () => {
    trainer.close();
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const busy = (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
    const hint = busy
      ? ' Another program uses that port: choose another with --port (0 picks a free one).'
      : '';
    console.error(`Serve: ${err instanceof Error ? err.message : String(err)}.${hint}`);
    process.exit(1);
  },
);
