/** The studio inside Electron: window.folio's named functions, set up by the preload. */
import {
  parseOrThrow,
  parseReply,
  RemoteError,
  StudioEventSchema,
  type StudioMethod,
} from '../../shared/contract';
import type { z } from 'zod';
import type { FolioApi, Outcome } from '../../shared/api';
import {
  SHELL_METHODS,
  type ShellMethod,
  type ShellParams,
  type ShellReply,
} from '../../shared/shell';
import type { Platform } from './platform';

function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.result;
  throw new RemoteError(outcome.error.message, outcome.error.code);
}

export function electronPlatform(folio: FolioApi): Platform {
  const call = async <M extends StudioMethod>(method: M, params: Parameters<FolioApi[M]>[0]) => {
    const invoke = folio[method] as (p: unknown) => Promise<Outcome<unknown>>;
    return parseReply(method, unwrap(await invoke(params)));
  };
  const shell = async <M extends ShellMethod>(
    method: M,
    params: ShellParams<M>,
  ): Promise<ShellReply<M>> => {
    const invoke = folio[method] as (p: unknown) => Promise<Outcome<unknown>>;
    const result = unwrap(await invoke(params));
    return parseOrThrow(
      SHELL_METHODS[method].reply as z.ZodType,
      result,
      `${method} reply`,
    ) as ShellReply<M>;
  };
  return {
    kind: 'electron',
    call,
    onEvent: (listener) =>
      folio.onEvent((event) => listener(parseOrThrow(StudioEventSchema, event, 'event'))),
    onDisconnect: () => {},
    onMenu: (listener) => void folio.onMenu(listener),
    openCorpusFile: (options) => shell('openCorpusDialog', options),
    openCheckpointFile: () => shell('openCheckpointDialog', {}),
    saveCheckpoint: async (as) => (await shell('saveCheckpointDialog', { as }))?.name ?? null,
    saveText: async (name, text) => (await shell('saveTextDialog', { name, text }))?.name ?? null,
  };
}
