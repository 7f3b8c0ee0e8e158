/**
 * Requests only Electron's main answers: they open native dialogs and touch files, so
 * browser mode has none of them (its studio uploads and downloads instead).
 */
import { z } from 'zod';
import type { SHELL_METHOD_NAMES } from './channels';
import { CorpusOptionsSchema, CorpusSummarySchema, method, ModelSummarySchema } from './contract';

export const SHELL_METHODS = {
  openCorpusDialog: method(CorpusOptionsSchema, CorpusSummarySchema.nullable()),
  openCheckpointDialog: method(z.object({}), ModelSummarySchema.nullable()),
  /** Save reuses the file this model came from or was last saved to; Save as always asks. */
  saveCheckpointDialog: method(
    z.object({ as: z.boolean() }),
    z.object({ name: z.string() }).nullable(),
  ),
  saveTextDialog: method(
    z.object({ name: z.string().min(1).max(255), text: z.string() }),
    z.object({ name: z.string() }).nullable(),
  ),
  /** Opens an http(s) link in the system browser, if it is on the allow-list. */
  openExternal: method(z.object({ url: z.string().max(2000) }), z.object({ opened: z.boolean() })),
} as const satisfies Record<(typeof SHELL_METHOD_NAMES)[number], unknown>;

export type ShellMethod = keyof typeof SHELL_METHODS;
export type ShellParams<M extends ShellMethod> = z.input<(typeof SHELL_METHODS)[M]['params']>;
export type ShellReply<M extends ShellMethod> = z.infer<(typeof SHELL_METHODS)[M]['reply']>;
