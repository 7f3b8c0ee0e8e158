/** How the CLI prints numbers and progress: one aligned line per report. */
import type { EvalEvent, StepEvent } from '../../shared/events';

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * One report, e.g.
 * "step  120/3000 | epoch 0.38 | trainLoss 2.1234 | valLoss 2.0567 | lr 3.0e-3 | 9,312 chars/s |
 *  1m02s elapsed | ETA 8m12s" (on one line).
 */
export function progressLine(step: StepEvent, val?: EvalEvent): string {
  const width = String(step.totalSteps).length;
  return [
    `step ${String(step.step).padStart(width)}/${step.totalSteps}`,
    `epoch ${step.epoch.toFixed(2)}`,
    `trainLoss ${step.trainLoss.toFixed(4)}`,
    `valLoss ${val ? val.valLoss.toFixed(4) : '  -   '}`,
    `lr ${step.lr.toExponential(1)}`,
    `${thousands(step.charsPerSec).padStart(6)} chars/s`,
    `${duration(step.elapsedSec).padStart(6)} elapsed`,
    `ETA ${duration(step.etaSec)}`,
  ].join(' | ');
}

export const LN2 = Math.log(2);

/** "seqLen 100, batchSize 32, lr 0.003": settings as the glossary names them. */
export function fields(values: object): string {
  return Object.entries(values)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ');
}
