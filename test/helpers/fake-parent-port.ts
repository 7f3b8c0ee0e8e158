/**
 * Loaded with --import before the trainer entry: gives a forked Node process the
 * `process.parentPort` Electron gives a utility process (postMessage out, 'message'
 * events carrying `data` in), backed by the fork's own IPC channel.
 */
const send = process.send!.bind(process);
Object.assign(process, {
  parentPort: {
    postMessage: (message: unknown) => send(message as object),
    on: (_event: 'message', listener: (event: { data: unknown }) => void) =>
      process.on('message', (data) => listener({ data })),
  },
});
