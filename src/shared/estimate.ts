/**
 * What a model will cost before it is built: parameter count, memory and time per epoch.
 * Pure arithmetic, so the settings form can show it as the user types.
 */
import type { ModelConfig, TrainSettings } from './settings';

/** Weights in embed, every GRU layer and the head (the engine's countParams, by formula). */
export function paramCount(config: ModelConfig): number {
  const { vocabSize: V, embedSize: E, hiddenSize: H, numLayers } = config;
  let total = V * E + V * H + V; // embedding, head weight and bias
  for (let l = 0; l < numLayers; l++) {
    const input = l === 0 ? E : H;
    total += 3 * H * input + 3 * H * H + 6 * H; // weight_ih, weight_hh, two biases
  }
  return total;
}

/**
 * Below this many batchSize * seqLen * hiddenSize, a step is over in a few milliseconds
 * and a second thread's start (about a second) and messages cost more than it saves.
 */
export const MIN_PARALLEL_WORK = 100_000;

/**
 * Peak memory of the training process, roughly (fitted to measured peak RSS on WebAssembly:
 * 477 MB for the default preset, 1.33 GB for Large, 147 MB for a tiny model): the runtime
 * itself (about 150 MB), six float32 copies of the weights (weights, gradients, Adam's two
 * moments, the worker's copy, the averaged gradients), what a step keeps per character
 * (about 32H per layer of gates, states and their gradients, plus the embedded input and the
 * logits), and about 100 MB for the second thread when the step is big enough to use one.
 */
export function trainingMemoryBytes(config: ModelConfig, settings: TrainSettings): number {
  const { vocabSize: V, embedSize: E, hiddenSize: H, numLayers } = config;
  const chars = settings.batchSize * settings.seqLen;
  const perChar = numLayers * 32 * H + E + 6 * V;
  const worker = chars * H >= MIN_PARALLEL_WORK ? 100e6 : 0;
  return 150e6 + 4 * (6 * paramCount(config) + chars * perChar) + worker;
}

/**
 * Floating-point operations per training character: a forward matmul costs 2 per weight
 * and the backward pass about twice the forward, so about 6 per weight; the embedding is a
 * lookup and costs nothing.
 */
export function flopsPerChar(config: ModelConfig): number {
  return 6 * (paramCount(config) - config.vocabSize * config.embedSize);
}

/**
 * Effective speed of each backend in FLOP/s, a first guess until a run measures the real
 * chars/s. WebAssembly with its second thread is calibrated on two cores of this project's
 * machine (21,300 chars/s at hiddenSize 256, 9,900 at the default 384: about 3.2e10);
 * plain JavaScript on the same (800 chars/s at 256); native is a rough guess.
 */
export const BACKEND_FLOPS: Record<string, number> = {
  tensorflow: 6e10,
  wasm: 3.2e10,
  cpu: 1.3e9,
};

/** Training characters per epoch: the training split, cut into whole windows. */
export function charsPerEpoch(corpusChars: number, settings: TrainSettings): number {
  const trainChars = corpusChars - Math.round(corpusChars * settings.valFraction);
  return Math.floor((trainChars - 1) / settings.seqLen) * settings.seqLen;
}
