/**
 * What Folio remembers between launches (userData/preferences.json): the last corpus file
 * and how it was read. The settings form remembers its own values in the renderer.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { CorpusOptionsSchema } from '../../shared/contract';

const PrefsSchema = z.object({
  lastCorpus: CorpusOptionsSchema.extend({ path: z.string() }).optional(),
  lastCheckpointDir: z.string().optional(),
});
export type Prefs = z.infer<typeof PrefsSchema>;

/** The saved preferences, or none when the file is missing or unreadable. */
export async function loadPrefs(path: string): Promise<Prefs> {
  try {
    const parsed = PrefsSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

export async function savePrefs(path: string, prefs: Prefs): Promise<void> {
  const temp = `${path}.tmp`;
  await writeFile(temp, JSON.stringify(prefs, null, 2));
  await rename(temp, path);
}
