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

/**
 * Runs the layer over a whole sequence from h0 = 0. Returns the outputs [T * B, H] and,
 * when `withTape`, what backward needs. Call inside tf.tidy.
 */
export function gruForward(
  w: GruWeights,
  x: tf.Tensor2D,
  seqLen: number,
  batchSize: number,
  withTape: boolean,
): { y: tf.Tensor2D; tape?: GruTape } {
  const hidden = w.weightHh.shape[1];
  const width = 3 * hidden;
  // All timesteps' input projections in one matmul: [T * B, In] @ [In, 3H].
  const gi = tf.add(tf.matMul(x, tf.transpose(w.weightIh)), w.biasIh);
  // Cut per timestep in JS: on wasm, tf.slice copies its whole input for every piece.
  const giData = gi.dataSync();
  const weightHhT = tf.transpose(w.weightHh) as tf.Tensor2D; // [H, 3H]
  const hs: tf.Tensor2D[] = [tf.zeros([batchSize, hidden]) as tf.Tensor2D];
  const cells: CellOut[] = [];
  for (let t = 0; t < seqLen; t++) {
    const rows = giData.subarray(t * batchSize * width, (t + 1) * batchSize * width);
    const out = gruCell(tf.tensor2d(rows, [batchSize, width]), hs[t]!, weightHhT, w.biasHh);
    hs.push(out.h);
    if (withTape) cells.push(out);
  }
  const y = tf.concat(hs.slice(1), 0);
  if (!withTape) return { y };
  const hPrev = tf.concat(hs.slice(0, seqLen), 0) as tf.Tensor2D;
  return { y, tape: { batchSize, x, hPrev, ...gateFactors(cells, hPrev) } };
}

/**
 * The backward pass's per-row factors, over the whole sequence at once ([T * B, H] each):
 *   dn  = dh (1 - z)               da_n = dn (1 - n^2)
 *   dz  = dh (h_prev - n)          da_z = dz z (1 - z)
 *   da_r = da_n ghn r (1 - r)      d(W_hn h + b_hn) = da_n r
 */
function gateFactors(cells: CellOut[], hPrev: tf.Tensor2D) {
  const all = (pick: (c: CellOut) => tf.Tensor2D) => tf.concat(cells.map(pick), 0);
  const [r, z, n, ghn] = [all((c) => c.r), all((c) => c.z), all((c) => c.n), all((c) => c.ghn)];
  const an = tf.mul(tf.sub(1, z), tf.sub(1, tf.square(n))); // da_n / dh
  const ar = tf.mul(tf.mul(an, ghn), tf.mul(r, tf.sub(1, r))); // da_r / dh
  const az = tf.mul(tf.sub(hPrev, n), tf.mul(z, tf.sub(1, z))); // da_z / dh
  return {
    giFactor: tf.stack([ar, az, an], 1).dataSync() as Float32Array,
    ghFactor: tf.stack([ar, az, tf.mul(an, r)], 1).dataSync() as Float32Array,
    z: z.dataSync() as Float32Array,
  };
}

/**
 * Back-propagates dy ([T * B, H], the loss gradient on every output) through the whole
 * sequence. Call inside tf.tidy.
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
    dh = step.dhPrev;
  }
  const dGI = tf.concat(dGi, 0) as tf.Tensor2D; // [T * B, 3H]
  const dGH = tf.concat(dGh, 0) as tf.Tensor2D;
  return {
    // Transpose explicitly: matMul(a, b, transposeA) leaves the fast path on wasm.
    weightIh: tf.matMul(tf.transpose(dGI), tape.x), // [3H, In]
    weightHh: tf.matMul(tf.transpose(dGH), tape.hPrev), // [3H, H]
    biasIh: tf.sum(dGI, 0),
    biasHh: tf.sum(dGH, 0),
    dx: tf.matMul(dGI, w.weightIh), // [T * B, In]
  };
}
