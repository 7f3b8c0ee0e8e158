/**
 * IPC handlers: one channel per studio request (forwarded to the trainer) and per shell
 * request (dialogs). Every call is refused unless it comes from the app's own window and
 * page, and its argument is parsed with the contract's schema before anything runs.
 * Handlers return an Outcome, so the renderer gets the message and code of an error
 * rather than Electron's "Error invoking remote method" wrapper.
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { z } from 'zod';
import type { Outcome } from '../../shared/api';
import { channel } from '../../shared/channels';
import { SHELL_METHODS, type ShellMethod, type ShellReply } from '../../shared/shell';
import {
  errorInfo,
  parseOrThrow,
  parseParams,
  STUDIO_METHODS,
  type Params,
  type Reply,
  type StudioMethod,
  type TrainerMethod,
} from '../../shared/contract';

export type ShellHandlers = {
  [M in ShellMethod]: (
    params: z.infer<(typeof SHELL_METHODS)[M]['params']>,
  ) => Promise<ShellReply<M>>;
};

export interface IpcDeps {
  trainer: { call<M extends TrainerMethod>(method: M, params: Params<M>): Promise<Reply<M>> };
  shell: ShellHandlers;
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  /** Sees each studio request after it was checked (main tracks the model's file). */
  observe?: (method: StudioMethod, params: unknown) => void;
}

export const UNTRUSTED_SENDER =
  'Refused: this request did not come from the Folio window. Restart Folio if this repeats.';

export function registerIpc(deps: IpcDeps): void {
  for (const method of Object.keys(STUDIO_METHODS) as StudioMethod[]) {
    ipcMain.handle(channel(method), (event, params: unknown) =>
      answer(deps, event, async () => {
        const parsed = parseParams(method, params);
        deps.observe?.(method, parsed);
        return deps.trainer.call(method, parsed as Params<typeof method>);
      }),
    );
  }
  for (const method of Object.keys(SHELL_METHODS) as ShellMethod[]) {
    ipcMain.handle(channel(method), (event, params: unknown) =>
      answer(deps, event, async () => {
        const schema = SHELL_METHODS[method].params as z.ZodType;
        const parsed = parseOrThrow(schema, params, `${method} params`);
        const handler = deps.shell[method] as (p: unknown) => Promise<unknown>;
        return handler(parsed);
      }),
    );
  }
}

async function answer(
  deps: IpcDeps,
  event: IpcMainInvokeEvent,
  work: () => Promise<unknown>,
): Promise<Outcome<unknown>> {
  if (!deps.isTrustedSender(event)) {
    return { ok: false, error: { message: UNTRUSTED_SENDER, code: 'untrusted-sender' } };
  }
  try {
    return { ok: true, result: await work() };
  } catch (err) {
    return { ok: false, error: errorInfo(err) };
  }
}
