/** Numbers as the studio shows them. */

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
