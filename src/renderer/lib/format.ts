/** Numbers and messages as the studio shows them. */
import { SETTINGS } from '../../shared/settings';

export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** "45 s", "12 min", "3 h 20 min". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  return `${hours} h ${Math.round((seconds - hours * 3600) / 60)} min`;
}

export type LossUnit = 'nats' | 'bits';

/** A loss in nats/char, converted to the chosen unit. */
export function inUnit(nats: number, unit: LossUnit): number {
  return unit === 'bits' ? nats / Math.LN2 : nats;
}

export function loss(nats: number | null | undefined, unit: LossUnit): string {
  if (nats === null || nats === undefined) return '—';
  return `${inUnit(nats, unit).toFixed(3)} ${unit === 'bits' ? 'bits/char' : 'nats/char'}`;
}

/**
 * A message from the engine in the studio's words: the engine names command-line flags
 * ("--batch-size 2", "(--hidden-size)"), the studio has fields and menus instead.
 */
export function studioWords(message: string): string {
  let text = message;
  // Longest flags first: --lr is the start of --lr-decay.
  const specs = Object.values(SETTINGS).sort((a, b) => b.flag.length - a.flag.length);
  for (const spec of specs) {
    text = text.replaceAll(` (${spec.flag})`, '').replaceAll(spec.flag, spec.label);
  }
  return text
    .replaceAll('without --encoding windows-1252', 'with Encoding set to UTF-8')
    .replaceAll('--encoding windows-1252', 'Encoding set to Windows-1252')
    .replaceAll('--keep-line-endings', 'the line-ending box unticked');
}
