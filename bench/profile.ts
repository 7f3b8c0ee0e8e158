/**
 * `npx tsx bench/profile.ts [--backend wasm] [--hidden 256] [--steps 5]`: where one
 * training step of the reference workload spends its time.
 *
 * Two views, both on the engine's own functions:
 *  - phases: wall time of gruForward, gruBackward, the rest of lossAndGrads (embedding,
 *    head, loss), globalNorm and adamStep, median over the steps;
 *  - kernels: tf.profile over one whole step, grouped by kernel and input shapes, so the
 *    big matrix multiplies, the small per-timestep ops and their count stand apart. The
 *    wall time not spent inside any kernel is tfjs's per-op bookkeeping and our own JS.
 * The wasm and cpu backends run kernels synchronously, so timing around a call is exact;
 * on native, phases would need a dataSync first (not done here).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { adamStep, globalNorm } from '../src/main/engine/adam';
import { initBackend, parseBackend } from '../src/main/engine/backend';
import { TrainBatches } from '../src/main/engine/batches';
import { readCorpus } from '../src/main/engine/corpus';
import { gruBackward, gruForward } from '../src/main/engine/gru';
import { layerWeights, lossAndGrads, timeMajor } from '../src/main/engine/model';
import { Session } from '../src/main/engine/session';
import { DEFAULT_TRAIN } from '../src/shared/settings';
import { formatTable, median, WORKLOAD } from './helpers';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    hidden: { type: 'string', default: '256' },
    steps: { type: 'string', default: '5' },
    corpus: { type: 'string', default: '../shared/data/tinyshakespeare.txt' },
  },
});
const hiddenSize = Number(values.hidden);
const steps = Number(values.steps);

await initBackend(parseBackend(values.backend));
const corpus = await readCorpus(values.corpus);
const { embedSize, numLayers, batchSize, seqLen, lr } = WORKLOAD;
const session = Session.create(
  corpus,
  { embedSize, hiddenSize, numLayers, dropout: 0, headDropout: 0 },
  { ...DEFAULT_TRAIN, batchSize, seqLen, lr, lrDecay: 0 },
);
const batches = new TrainBatches(session.encodeCorpus(corpus), batchSize, seqLen, 1);

function time<T>(f: () => T): [T, number] {
  const started = performance.now();
  const out = f();
  return [out, performance.now() - started];
}

/** One full training step, as train() takes it. */
function trainStep(step: number) {
  const seqs = timeMajor(batches.batch(step));
  const { grads } = lossAndGrads(session.params, session.config, seqs);
  adamStep(session.params, grads, session.adam, lr, DEFAULT_TRAIN.clip, globalNorm(grads));
  tf.dispose(Object.values(grads));
}

// Phases: time the layer's forward and backward on their own, then the whole step. The
// share of lossAndGrads outside the layer is its time less the layer's, which is only
// meaningful on a quiet machine (they come from two passes).
const phases: Record<string, number[]> = {
  'gruForward (input projection + recurrent loop)': [],
  'gruBackward (recurrent loop + weight gradients)': [],
  'lossAndGrads (embedding, layer, head and loss, both ways)': [],
  globalNorm: [],
  adamStep: [],
  'whole step': [],
  'whole step, CPU time (all threads)': [],
};
trainStep(1); // warm-up: wasm operator caches, heap growth
for (let step = 2; step < 2 + steps; step++) {
  const seqs = timeMajor(batches.batch(step));
  tf.tidy(() => {
    const x = tf.gather(session.params['embed.weight']!, tf.tensor1d(seqs.inputs, 'int32'));
    const w = layerWeights(session.params, 0);
    const [{ y, tape }, fwd] = time(() => gruForward(w, x as tf.Tensor2D, seqLen, batchSize, true));
    const dy = tf.fill(y.shape, 1e-3) as tf.Tensor2D;
    const [, bwd] = time(() => gruBackward(w, tape!, dy));
    phases['gruForward (input projection + recurrent loop)']!.push(fwd);
    phases['gruBackward (recurrent loop + weight gradients)']!.push(bwd);
  });
  const cpuBefore = process.cpuUsage();
  const [{ grads }, all] = time(() => lossAndGrads(session.params, session.config, seqs));
  const [norm, normMs] = time(() => globalNorm(grads));
  const [, adamMs] = time(() =>
    adamStep(session.params, grads, session.adam, lr, DEFAULT_TRAIN.clip, norm),
  );
  tf.dispose(Object.values(grads));
  phases['lossAndGrads (embedding, layer, head and loss, both ways)']!.push(all);
  phases['globalNorm']!.push(normMs);
  phases['adamStep']!.push(adamMs);
  phases['whole step']!.push(all + normMs + adamMs);
  const cpu = process.cpuUsage(cpuBefore);
  phases['whole step, CPU time (all threads)']!.push((cpu.user + cpu.system) / 1000);
}
// On a shared machine the fastest of several steps is the steadiest figure: other
// processes only ever add time.
const stepMs = Math.min(...phases['whole step']!);
const rate = (ms: number) => ((batchSize * seqLen * 1000) / ms).toFixed(0);
console.log(
  `Backend ${tf.getBackend()}, hidden ${hiddenSize}, batch ${batchSize}, seqLen ${seqLen}, ` +
    `${steps} steps: fastest ${rate(stepMs)} chars/s, median ` +
    `${rate(median(phases['whole step']!))} chars/s\n`,
);
console.log(
  formatTable(
    ['phase', 'min ms', 'median ms', 'min / min step'],
    Object.entries(phases).map(([name, ms]) => [
      name,
      Math.min(...ms).toFixed(1),
      median(ms).toFixed(1),
      `${((100 * Math.min(...ms)) / stepMs).toFixed(0)}%`,
    ]),
  ),
);

// Kernels: one profiled step, grouped by kernel name and input shapes.
const started = performance.now();
const info = await tf.profile(() => trainStep(2 + steps));
const wallMs = performance.now() - started;
const groups = new Map<string, { count: number; ms: number }>();
let kernelMs = 0;
let kernelCount = 0;
for (const k of info.kernels) {
  // Ops that tfjs runs as a wrapper around other kernels (fusedMatMul__op around
  // _FusedMatMul, logSoftmax__op around Max, Exp...) are listed too: skip them, or the
  // time would be counted twice.
  if (k.name.endsWith('__op')) continue;
  const ms = (await k.kernelTimeMs) as number;
  const big = k.name.includes('MatMul') || k.name === 'Transpose' || k.name === 'Concat';
  const shapes = k.inputShapes.map((s) => `[${s}]`);
  const shown = shapes.length > 3 ? `${shapes[0]} x${shapes.length}` : shapes.join(' ');
  const key = big ? `${k.name} ${shown}` : k.name;
  const g = groups.get(key) ?? { count: 0, ms: 0 };
  g.count += 1;
  g.ms += ms;
  kernelMs += ms;
  kernelCount += 1;
  groups.set(key, g);
}
const rows = [...groups.entries()].sort((a, b) => b[1].ms - a[1].ms);
console.log(
  `\nOne profiled step: ${wallMs.toFixed(0)} ms wall, ${kernelCount} kernels taking ` +
    `${kernelMs.toFixed(0)} ms; ${(wallMs - kernelMs).toFixed(0)} ms outside kernels ` +
    `(tfjs bookkeeping, profiler, JS)\n`,
);
console.log(
  formatTable(
    ['kernel (input shapes)', 'count', 'ms', 'ms each'],
    rows
      .slice(0, 30)
      .map(([key, g]) => [key, String(g.count), g.ms.toFixed(1), (g.ms / g.count).toFixed(3)]),
  ),
);
