/**
 * Loss history for the chart: plain arrays (100,000 points must not each be reactive)
 * plus a version number that changes when points are added, so the chart knows to redraw.
 * Losses are nats/char as the trainer sends them; the chart converts to bits.
 */

export interface Point {
  x: number;
  y: number;
}

/** Weight of the past in the smoothed trainLoss (TensorBoard-style, debiased). */
const SMOOTHING = 0.95;

export class LossHistory {
  train: Point[] = [];
  smoothed: Point[] = [];
  val: Point[] = [];
  /** Bumped on every change; reset() also bumps `generation` so the chart starts over. */
  version = $state(0);
  generation = $state(0);
  private ema = 0;

  reset(trainLoss: [number, number][], valLoss: [number, number][]): void {
    this.train = [];
    this.smoothed = [];
    this.ema = 0;
    for (const [step, loss] of trainLoss) this.pushTrain(step, loss);
    this.val = valLoss.map(([x, y]) => ({ x, y }));
    this.generation++;
    this.version++;
  }

  addTrain(step: number, loss: number): void {
    this.pushTrain(step, loss);
    this.version++;
  }

  addVal(step: number, loss: number): void {
    this.val.push({ x: step, y: loss });
    this.version++;
  }

  private pushTrain(step: number, loss: number): void {
    this.train.push({ x: step, y: loss });
    this.ema = SMOOTHING * this.ema + (1 - SMOOTHING) * loss;
    const debias = 1 - SMOOTHING ** this.train.length;
    this.smoothed.push({ x: step, y: this.ema / debias });
  }
}
