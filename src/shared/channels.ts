/**
 * Names shared by main, preload and renderer, free of any library so the sandboxed
 * preload stays small: the request names (one IPC channel each), the event channels and
 * the menu's commands. contract.ts and shell.ts hold the schemas for these names.
 */

/** The name under which the preload exposes the API on `window`. */
export const FOLIO_API_KEY = 'folio';

export const STUDIO_METHOD_NAMES = [
  'hello',
  'openCorpus',
  'openBuiltinCorpus',
  'train',
  'stop',
  'generate',
  'stopGenerate',
  'exportCheckpoint',
  'openCheckpoint',
] as const;

export const SHELL_METHOD_NAMES = [
  'openCorpusDialog',
  'openCheckpointDialog',
  'saveCheckpointDialog',
  'saveTextDialog',
  'openExternal',
] as const;

export const MENU_COMMANDS = [
  'openCorpus',
  'openCheckpoint',
  'saveCheckpoint',
  'saveCheckpointAs',
  'train',
  'stop',
  'generate',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** IPC channel of a request ("folio:train"), and of the two streams main sends. */
export const channel = (name: string) => `folio:${name}`;
export const EVENT_CHANNEL = 'folio:event';
export const MENU_CHANNEL = 'folio:menu';
