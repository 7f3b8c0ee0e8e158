/**
 * One benchmark row in its own process (forked by bench.ts): start one backend, train the
 * reference workload with the engine's own `train`, time generation with `generate`, and
 * send the numbers back over the IPC channel. A fresh process per row keeps peak RSS and
 * backend state (wasm memory only grows) from leaking between rows.
 *
 * Throughput is taken from the clock at every StepEvent, so it counts exactly what a user's
 * run pays per step: batching, forward, backward, clipping, Adam and the event loop turn.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_TRAIN } from '../src/shared/settings';
import { initBackend, type BackendChoice } from '../src/main/engine/backend';
import { readCorpus } from '../src/main/engine/corpus';
import { generate } from '../src/main/engine/generate';
import { wantsHelper } from '../src/main/engine/parallel';
import { Session } from '../src/main/engine/session';
import { train } from '../src/main/engine/train';
import { median, runRates, WORKLOAD, type BenchRow } from './helpers';

export interface RowRequest {
  backend: BackendChoice;
  hiddenSize: number;
  corpus: string;
  warmup: number;
  steps: number;
  runs: number;
  sample: number;
}

export type RowReply = { row: BenchRow } | { skipped: string };

async function runRow(req: RowRequest): Promise<RowReply> {
  let label: string;
  try {
    const info = await initBackend(req.backend);
    const work = WORKLOAD.batchSize * WORKLOAD.seqLen * req.hiddenSize;
    label = `${info.label}, ${wantsHelper(info.name, work) ? 2 : 1} thread(s)`;
  } catch (err) {
    return { skipped: err instanceof Error ? err.message : String(err) };
  }
  const corpus = await readCorpus(req.corpus);
  const { embedSize, numLayers, batchSize, seqLen, lr } = WORKLOAD;
  const session = Session.create(
    corpus,
    { embedSize, hiddenSize: req.hiddenSize, numLayers, dropout: 0, headDropout: 0 },
    {
      ...DEFAULT_TRAIN,
      batchSize,
      seqLen,
      lr,
      lrDecay: 0, // constant, like the PyTorch reference script
      steps: req.warmup + req.runs * req.steps,
      valFraction: 0, // no valLoss passes inside the timed steps
    },
  );

  // Training: the clock before step 1 and after every step.
  const stepTimesMs: number[] = [];
  const cpuTimesMs: number[] = []; // user + system time of all this process's threads
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  let lastLoss = NaN;
  const done = await train(session, corpus, {
    onEvent: (event) => {
      if (event.type === 'start' || event.type === 'step') {
        stepTimesMs.push(performance.now());
        cpuTimesMs.push(cpuMs());
      }
      if (event.type === 'step') lastLoss = event.trainLoss;
    },
  });
  if (done.reason !== 'finished') throw new Error(`training ended early: ${done.reason}`);
  const runs = runRates(stepTimesMs, req.warmup, req.steps, batchSize * seqLen);
  const cpuRuns = runRates(cpuTimesMs, req.warmup, req.steps, batchSize * seqLen);

  // Generation: a short untimed sample first, so one-off setup is not counted per character.
  let genMsPerChar: number | null = null;
  if (req.sample > 0) {
    const opts = { prime: '', seed: 1, temperature: 0.8, topK: 0, topP: 1, dropUnknown: false };
    for await (const _ of generate(session, { ...opts, length: 20 }));
    const started = performance.now();
    for await (const _ of generate(session, { ...opts, length: req.sample }));
    genMsPerChar = (performance.now() - started) / req.sample;
  }

  return {
    row: {
      engine: req.backend,
      detail: `${label} (tfjs ${tf.version_core})`,
      hiddenSize: req.hiddenSize,
      charsPerSec: median(runs),
      runs,
      charsPerCpuSec: median(cpuRuns),
      genMsPerChar,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      lastLoss,
    },
  };
}

const request = JSON.parse(process.argv[2] ?? '{}') as RowRequest;
runRow(request).then(
  (reply) => process.send!(reply, () => process.exit(0)),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
