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
 * Bytes a training step holds, roughly: float32 weights, gradients and Adam's two
 * moments (4 copies), plus what the backward pass keeps per character: each layer's
 * gates and states (about 8H), the embedded input and the logits with their gradient.
 */
export function trainingMemoryBytes(config: ModelConfig, settings: TrainSettings): number {
  const { vocabSize: V, embedSize: E, hiddenSize: H, numLayers } = config;
  const chars = settings.batchSize * settings.seqLen;
  const perChar = numLayers * 8 * H + E + 3 * V;
  return 4 * (4 * paramCount(config) + chars * perChar);
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
 * chars/s. WebAssembly is calibrated on the Shakespeare preset (about 8,000 chars/s on two
 * laptop cores); plain JavaScript is about ten times slower; native is a rough guess.
 */
export const BACKEND_FLOPS: Record<string, number> = {
  tensorflow: 4e10,
  wasm: 1.3e10,
  cpu: 1.3e9,
};

/** Training characters per epoch: the training split, cut into whole windows. */
export function charsPerEpoch(corpusChars: number, settings: TrainSettings): number {
  const trainChars = corpusChars - Math.round(corpusChars * settings.valFraction);
  return Math.floor((trainChars - 1) / settings.seqLen) * settings.seqLen;
}
