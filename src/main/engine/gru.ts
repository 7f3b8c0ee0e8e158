/**
 * One GRU layer on tfjs-core ops, with a hand-written backward pass.
 *
 * PyTorch's equations and layout (torch.nn.GRU), gate rows ordered r, z, n:
 *   r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
 *   z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 *   n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))
 *   h' = (1 - z) * n + z * h
 * Shapes: weightIh [3H, In], weightHh [3H, H], biasIh and biasHh [3H].
 *
 * Sequences are laid out time-major and flattened: row t * B + b holds timestep t of
 * window b, so the rows of one timestep are contiguous. Writing the backward pass by hand
 * (rather than using tf.grad over a loop, or tfjs-layers) lets the input projection and
 * every weight gradient be one large matrix multiply per sequence, and keeps every matmul
 * operand untransposed, which the wasm backend runs about ten times faster.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface GruWeights {
  weightIh: tf.Tensor2D; // [3H, In]
  weightHh: tf.Tensor2D; // [3H, H]
  biasIh: tf.Tensor1D; // [3H]
  biasHh: tf.Tensor1D; // [3H]
}

export interface GruGrads {
  weightIh: tf.Tensor2D;
  weightHh: tf.Tensor2D;
  biasIh: tf.Tensor1D;
  biasHh: tf.Tensor1D;
  /** Gradient with respect to the layer's input, [T * B, In]. */
  dx: tf.Tensor2D;
}

/**
 * What the backward pass needs from the forward pass. The gate derivatives are folded
 * into per-row factors once per sequence (a few large ops), so each backward timestep is a
 * handful of ops: d(gate pre-activations) = dh_t * factor, with no per-gate work.
 */
export interface GruTape {
  batchSize: number;
  x: tf.Tensor2D; // [T * B, In]
  hPrev: tf.Tensor2D; // h_0 .. h_{T-1} stacked, [T * B, H]
  /** d(W_ih x + b_ih) / dh_t per gate block r, z, n: [T * B, 3, H]. */
  giFactor: Float32Array;
  /** d(W_hh h + b_hh) / dh_t: as giFactor, with the n block times r. [T * B, 3, H] */
  ghFactor: Float32Array;
  /** dh_{t-1} / dh_t directly (not through W_hh): z. [T * B, H] */
  z: Float32Array;
}

export interface CellOut {
  h: tf.Tensor2D;
  r: tf.Tensor2D;
  z: tf.Tensor2D;
  n: tf.Tensor2D;
  ghn: tf.Tensor2D;
}

/**
 * One timestep. `gi` is the input projection W_ih x + b_ih, [B, 3H]; `weightHhT` is
 * weightHh transposed, [H, 3H].
 */
export function gruCell(
  gi: tf.Tensor2D,
  h: tf.Tensor2D,
  weightHhT: tf.Tensor2D,
  biasHh: tf.Tensor1D,
): CellOut {
  const hidden = h.shape[1];
  const gh = tf.fused.matMul({ a: h, b: weightHhT, bias: biasHh }); // [B, 3H]
  const rz = tf.sigmoid(
    tf.add(tf.slice(gi, [0, 0], [-1, 2 * hidden]), tf.slice(gh, [0, 0], [-1, 2 * hidden])),
  );
  const r = tf.slice(rz, [0, 0], [-1, hidden]) as tf.Tensor2D;
  const z = tf.slice(rz, [0, hidden], [-1, hidden]) as tf.Tensor2D;
  const ghn = tf.slice(gh, [0, 2 * hidden], [-1, hidden]) as tf.Tensor2D;
  const n = tf.tanh(
    tf.add(tf.slice(gi, [0, 2 * hidden], [-1, hidden]), tf.mul(r, ghn)),
  ) as tf.Tensor2D;
  const hNew = tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D; // (1 - z) n + z h
  return { h: hNew, r, z, n, ghn };
}

/** One gate's weights, transposed for untransposed matmuls: [In, H], [H, H], [H], [H]. */
interface GateWeights {
  inputT: tf.Tensor2D;
  inputBias: tf.Tensor1D;
  hiddenT: tf.Tensor2D;
  hiddenBias: tf.Tensor1D;
}

/**
 * Gates r, z, n cut from the stacked weights, once per sequence. Gate n's weights come
 * doubled (exactly, in binary floating point), so the loop can take tanh(a) as
 * 2 sigmoid(2a) - 1: wasm's sigmoid is vectorised and about seven times faster than its tanh.
 */
function splitGates(w: GruWeights): GateWeights[] {
  const hidden = w.weightHh.shape[1];
  return [0, 1, 2].map((k) => {
    const scale = k === 2 ? 2 : 1;
    const rows = <T extends tf.Tensor>(t: T, width: number[]) => {
      const part = tf.slice(t, [k * hidden, ...width.map(() => 0)], [hidden, ...width]);
      return scale === 1 ? part : tf.mul(part, scale);
    };
    return {
      inputT: tf.transpose(rows(w.weightIh, [-1])) as tf.Tensor2D,
      inputBias: rows(w.biasIh, []) as tf.Tensor1D,
      hiddenT: tf.transpose(rows(w.weightHh, [-1])) as tf.Tensor2D,
      hiddenBias: rows(w.biasHh, []) as tf.Tensor1D,
    };
  });
}

/**
 * Runs the layer over a whole sequence from h0 = 0. Returns the outputs [T * B, H] and,
 * when `withTape`, what backward needs. Call inside tf.tidy.
 *
 * Each gate has its own matmuls, so no timestep slices a tensor: on wasm a column slice
 * costs as much as eight elementwise ops, and the gates need six per step otherwise.
 */
export function gruForward(
  w: GruWeights,
  x: tf.Tensor2D,
  seqLen: number,
  batchSize: number,
  withTape: boolean,
): { y: tf.Tensor2D; tape?: GruTape } {
  const hidden = w.weightHh.shape[1];
  const size = batchSize * hidden;
  const [r, z, n] = splitGates(w);
  // Each gate's input projection for all timesteps in one matmul, [T * B, H], then cut
  // per timestep in JS (on wasm, a row slice copies its whole input first).
  const gi = [r, z, n].map((g) => {
    const all = tf.fused.matMul({ a: x, b: g!.inputT, bias: g!.inputBias });
    const data = all.dataSync() as Float32Array;
    all.dispose();
    return data;
  });
  const at = (data: Float32Array, t: number) =>
    tf.tensor2d(data.subarray(t * size, (t + 1) * size), [batchSize, hidden]);
  const hs: tf.Tensor2D[] = [tf.zeros([batchSize, hidden]) as tf.Tensor2D];
  const cells: CellOut[] = [];
  for (let t = 0; t < seqLen; t++) {
    const h = hs[t]!;
    // A tidy per timestep: wasm memory only grows, so garbage left for the step's end
    // would raise the process's peak memory by tens of MB.
    const cell = tf.tidy(() => {
      const recurrent = (g: GateWeights) =>
        tf.fused.matMul({ a: h, b: g.hiddenT, bias: g.hiddenBias });
      const rT = tf.sigmoid(tf.add(at(gi[0]!, t), recurrent(r!))) as tf.Tensor2D;
      const zT = tf.sigmoid(tf.add(at(gi[1]!, t), recurrent(z!))) as tf.Tensor2D;
      const ghn2 = recurrent(n!) as tf.Tensor2D; // 2 (W_hn h + b_hn)
      const s = tf.sigmoid(tf.add(at(gi[2]!, t), tf.mul(rT, ghn2))); // sigmoid(2 a_n)
      const nT = tf.sub(tf.mul(s, 2), 1) as tf.Tensor2D; // tanh(a_n)
      const hNew = tf.add(nT, tf.mul(zT, tf.sub(h, nT))) as tf.Tensor2D; // (1 - z) n + z h
      return withTape ? { h: hNew, r: rT, z: zT, n: nT, ghn: ghn2 } : { h: hNew };
    });
    hs.push(cell.h);
    if (withTape) cells.push(cell as CellOut);
  }
  const y = tf.concat(hs.slice(1), 0);
  const hPrev = withTape ? (tf.concat(hs.slice(0, seqLen), 0) as tf.Tensor2D) : undefined;
  tf.dispose(hs);
  tf.dispose([r, z, n].flatMap((g) => Object.values(g!)));
  if (!hPrev) return { y };
  return { y, tape: { batchSize, x, hPrev, ...gateFactors(cells, hPrev) } };
}

/**
 * The backward pass's per-row factors, over the whole sequence, in plain JS (the
 * arithmetic is a few multiplies per element; as tfjs ops it was a dozen large kernels):
 *   da_n = dh (1 - z)(1 - n^2)     da_z = dh (h_prev - n) z (1 - z)
 *   da_r = da_n ghn r (1 - r)      d(W_hn h + b_hn) = da_n r
 * `cells[t].ghn` holds 2 (W_hn h + b_hn), as gruForward computes it. Disposes the
 * per-timestep gate tensors it reads, so they do not wait for the step's end.
 */
function gateFactors(cells: CellOut[], hPrev: tf.Tensor2D) {
  const read = (pick: (c: CellOut) => tf.Tensor2D) => {
    const all = tf.concat(cells.map(pick), 0);
    const data = all.dataSync() as Float32Array;
    tf.dispose([all, ...cells.map(pick)]);
    return data;
  };
  const [r, z, n, ghn] = [read((c) => c.r), read((c) => c.z), read((c) => c.n), read((c) => c.ghn)];
  const h = hPrev.dataSync();
  const hidden = hPrev.shape[1];
  // Every element is written below, so recycled buffers need no clearing.
  const giFactor = takeBuffer(3 * r.length);
  const ghFactor = takeBuffer(3 * r.length);
  // A plain indexed loop: destructuring or fresh arrays here made it three times slower.
  for (let row = 0, i = 0; row < hPrev.shape[0]; row++) {
    for (let j = 0, o = 3 * row * hidden; j < hidden; j++, i++, o++) {
      const ri = r[i]!;
      const zi = z[i]!;
      const ni = n[i]!;
      const an = (1 - zi) * (1 - ni * ni);
      const ar = 0.5 * an * ghn[i]! * ri * (1 - ri); // the tape holds 2 ghn
      const az = (h[i]! - ni) * zi * (1 - zi);
      giFactor[o] = ar; // [row, gate, j]
      ghFactor[o] = ar;
      giFactor[o + hidden] = az;
      ghFactor[o + hidden] = az;
      giFactor[o + 2 * hidden] = an;
      ghFactor[o + 2 * hidden] = an * ri;
    }
  }
  return { giFactor, ghFactor, z };
}

/**
 * Factor buffers are tens of MB per step; allocating them fresh each step cost as much as
 * filling them. gruBackward hands its tape's buffers back here when it is done.
 */
const spareBuffers: Float32Array[] = [];

function takeBuffer(length: number): Float32Array {
  const i = spareBuffers.findIndex((b) => b.length === length);
  return i >= 0 ? spareBuffers.splice(i, 1)[0]! : new Float32Array(length);
}

function giveBack(...buffers: Float32Array[]): void {
  for (const b of buffers) if (!spareBuffers.includes(b)) spareBuffers.push(b);
  // A few layers' worth; a change of shape lets the old ones go.
  if (spareBuffers.length > 8) spareBuffers.splice(0, spareBuffers.length - 8);
}

/**
 * Back-propagates dy ([T * B, H], the loss gradient on every output) through the whole
 * sequence. Call inside tf.tidy, once per tape: it recycles the tape's factor buffers.
 */
export function gruBackward(w: GruWeights, tape: GruTape, dy: tf.Tensor2D): GruGrads {
  const { batchSize: B } = tape;
  const [rows, hidden] = tape.hPrev.shape;
  const seqLen = rows / B;
  const size = B * hidden;
  const dyData = dy.dataSync();
  const dGi: tf.Tensor2D[] = new Array<tf.Tensor2D>(seqLen); // d(W_ih x + b_ih), [B, 3H]
  const dGh: tf.Tensor2D[] = new Array<tf.Tensor2D>(seqLen); // d(W_hh h + b_hh), [B, 3H]
  let dh: tf.Tensor2D | undefined; // gradient flowing back into h_t from step t + 1
  for (let t = seqLen - 1; t >= 0; t--) {
    const piece = (data: Float32Array, width: number) =>
      data.subarray(t * size * width, (t + 1) * size * width);
    const step = tf.tidy(() => {
      const dyT = tf.tensor2d(piece(dyData as Float32Array, 1), [B, hidden]);
      const dhT = dh ? tf.add(dh, dyT) : dyT;
      const per = tf.reshape(dhT, [B, 1, hidden]); // one dh row for all three gate blocks
      const dgi = tf.mul(per, tf.tensor3d(piece(tape.giFactor, 3), [B, 3, hidden]));
      const dgh = tf.mul(per, tf.tensor3d(piece(tape.ghFactor, 3), [B, 3, hidden]));
      const dgh2 = tf.reshape(dgh, [B, 3 * hidden]) as tf.Tensor2D;
      const direct = tf.mul(dhT, tf.tensor2d(piece(tape.z, 1), [B, hidden]));
      return {
        dgi: tf.reshape(dgi, [B, 3 * hidden]) as tf.Tensor2D,
        dgh: dgh2,
        dhPrev: tf.add(direct, tf.matMul(dgh2, w.weightHh)) as tf.Tensor2D, // [B,3H]@[3H,H]
      };
    });
    dGi[t] = step.dgi;
    dGh[t] = step.dgh;
    dh?.dispose();
    dh = step.dhPrev;
  }
  const dGI = tf.concat(dGi, 0) as tf.Tensor2D; // [T * B, 3H]
  const dGH = tf.concat(dGh, 0) as tf.Tensor2D;
  tf.dispose([...dGi, ...dGh, dh!]);
  giveBack(tape.giFactor, tape.ghFactor);
  const inputs = tape.x.shape[1];
  // Weight and bias gradients in one multiply each: dGI^T [x | 1] = [dW_ih | db_ih]. The
  // operand order matters on wasm: the right-hand operand is repacked on every call, at
  // about 10 ns per element, so it should be x or h ([T * B, In or H]), never dGI.
  // Operands are freed as soon as they are used, to keep the peak of wasm memory down.
  const ones = tf.ones([rows, 1]);
  const gradAndBias = (dG: tf.Tensor2D, input: tf.Tensor2D) => {
    const [dGT, input1] = [tf.transpose(dG), tf.concat([input, ones], 1)];
    const out = tf.matMul(dGT, input1);
    tf.dispose([dGT, input1]);
    return out;
  };
  const gI = gradAndBias(dGI, tape.x); // [3H, In + 1]
  const gH = gradAndBias(dGH, tape.hPrev); // [3H, H + 1]
  dGH.dispose();
  return {
    weightIh: tf.slice(gI, [0, 0], [-1, inputs]) as tf.Tensor2D, // [3H, In]
    weightHh: tf.slice(gH, [0, 0], [-1, hidden]) as tf.Tensor2D, // [3H, H]
    biasIh: tf.reshape(tf.slice(gI, [0, inputs], [-1, 1]), [3 * hidden]),
    biasHh: tf.reshape(tf.slice(gH, [0, hidden], [-1, 1]), [3 * hidden]),
    dx: tf.matMul(dGI, w.weightIh), // [T * B, In]
  };
}
