/**
 * The trainer's automatic saves in its data folder: best.ckpt (best valLoss) and
 * autosave.ckpt (every few minutes and at the end of a run), and setting both aside as
 * previous-*.ckpt when a new model starts. A save that fails becomes a warning event; a run
 * never stops for one.
 */
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { errorInfo, type StudioEvent } from '../../shared/contract';
import type { EvalEvent } from '../../shared/events';
import { saveCheckpoint } from '../engine/checkpoint';
import { ioError } from '../engine/errors';
import type { Session } from '../engine/session';

export class Autosaves {
  private lastAutosave = Date.now();

  constructor(
    /** Where the files go; without it nothing is saved. */
    private readonly dataDir: string | undefined,
    /** Seconds between periodic autosaves (at evaluations). */
    private readonly everySec: number,
    private readonly backendName: () => Promise<string>,
    private readonly emit: (event: StudioEvent) => void,
  ) {}

  /** After each evaluation: keep the best-valLoss model, and an autosave every few minutes. */
  async afterEval(session: Session, lastEval: EvalEvent | undefined): Promise<void> {
    if (lastEval && lastEval.valLoss === lastEval.bestValLoss) await this.save(session, 'best');
    if (Date.now() - this.lastAutosave >= this.everySec * 1000) {
      await this.save(session, 'autosave');
    }
  }

  /**
   * A new model is starting: the autosaves of the one before become previous-*.ckpt (one
   * generation is kept), so best.ckpt and autosave.ckpt only ever hold the current model
   * and the model that was there is not lost to the new run's first save.
   */
  async setAside(): Promise<void> {
    const dataDir = this.dataDir;
    if (!dataDir) return;
    for (const kind of ['autosave', 'best']) {
      const from = join(dataDir, `${kind}.ckpt`);
      try {
        await rename(from, join(dataDir, `previous-${kind}.ckpt`));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        const why = ioError(err, from, `set the last model's ${kind}.ckpt aside`, true).message;
        this.emit({ type: 'warning', message: `${why} New saves may replace it.` });
      }
    }
  }

  async save(session: Session, kind: 'autosave' | 'best'): Promise<void> {
    const dataDir = this.dataDir;
    if (!dataDir) return;
    const path = join(dataDir, `${kind}.ckpt`);
    try {
      await mkdir(dataDir, { recursive: true }).catch((err: unknown) => {
        throw ioError(err, dataDir, 'create the data folder', true);
      });
      await saveCheckpoint(path, session.toCheckpoint(await this.backendName()));
      if (kind === 'autosave') this.lastAutosave = Date.now();
      this.emit({ type: 'autosaved', kind, path, step: session.training.step });
    } catch (err) {
      this.emit({ type: 'warning', message: `Autosave failed: ${errorInfo(err).message}` });
    }
  }
}
