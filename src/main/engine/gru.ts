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

/** What the backward pass needs from the forward pass. */
export interface GruTape {
  x: tf.Tensor2D; // [T * B, In]
  hs: tf.Tensor2D[]; // h_0 .. h_T, each [B, H]
  r: tf.Tensor2D[]; // per timestep, [B, H]
  z: tf.Tensor2D[];
  n: tf.Tensor2D[];
  ghn: tf.Tensor2D[]; // W_hn h + b_hn, [B, H]
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
 * weightHh transposed, [H, 3H]. Shared by training and sampling so both compute alike.
 */
export function gruCell(
  gi: tf.Tensor2D,
  h: tf.Tensor2D,
  weightHhT: tf.Tensor2D,
  biasHh: tf.Tensor1D,
): CellOut {
  const hidden = h.shape[1];
  const gh = tf.add(tf.matMul(h, weightHhT), biasHh) as tf.Tensor2D; // [B, 3H]
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
  let h = tf.zeros([batchSize, hidden]) as tf.Tensor2D;
  const tape: GruTape = { x, hs: [h], r: [], z: [], n: [], ghn: [] };
  const ys: tf.Tensor2D[] = [];
  for (let t = 0; t < seqLen; t++) {
    const giT = tf.tensor2d(giData.subarray(t * batchSize * width, (t + 1) * batchSize * width), [
      batchSize,
      width,
    ]);
    const out = gruCell(giT, h, weightHhT, w.biasHh);
    h = out.h;
    ys.push(h);
    if (withTape) {
      tape.hs.push(h);
      tape.r.push(out.r);
      tape.z.push(out.z);
      tape.n.push(out.n);
      tape.ghn.push(out.ghn);
    }
  }
  const y = tf.concat(ys, 0);
  return withTape ? { y, tape } : { y };
}

/**
 * Back-propagates dy ([T * B, H], the loss gradient on every output) through the whole
 * sequence. Call inside tf.tidy.
 */
export function gruBackward(w: GruWeights, tape: GruTape, dy: tf.Tensor2D): GruGrads {
  const seqLen = tape.r.length;
  const [batchSize, hidden] = tape.hs[0]!.shape;
  const dyData = dy.dataSync();
  const size = batchSize * hidden;
  const dGi: tf.Tensor2D[] = new Array<tf.Tensor2D>(seqLen); // d(pre-activation of gi), [B, 3H]
  const dGh: tf.Tensor2D[] = new Array<tf.Tensor2D>(seqLen); // d(gh), [B, 3H]
  let dh = tf.zeros([batchSize, hidden]) as tf.Tensor2D; // gradient flowing back into h_t
  for (let t = seqLen - 1; t >= 0; t--) {
    const dyT = tf.tensor2d(dyData.subarray(t * size, (t + 1) * size), [batchSize, hidden]);
    const step = tf.tidy(() => {
      const r = tape.r[t]!;
      const z = tape.z[t]!;
      const n = tape.n[t]!;
      const dhT = tf.add(dh, dyT);
      const dhz = tf.mul(dhT, z); // through h' = ... + z h
      const dn = tf.sub(dhT, dhz); // (1 - z) dh
      const dz = tf.mul(dhT, tf.sub(tape.hs[t]!, n));
      const dan = tf.mul(dn, tf.sub(1, tf.square(n))); // tanh'
      const dar = tf.mul(tf.mul(dan, tape.ghn[t]!), tf.mul(r, tf.sub(1, r))); // sigmoid'
      const daz = tf.mul(dz, tf.mul(z, tf.sub(1, z)));
      const dgi = tf.concat([dar, daz, dan], 1) as tf.Tensor2D;
      const dgh = tf.concat([dar, daz, tf.mul(dan, r)], 1) as tf.Tensor2D;
      const dhPrev = tf.add(dhz, tf.matMul(dgh, w.weightHh)) as tf.Tensor2D; // [B,3H]@[3H,H]
      return { dgi, dgh, dhPrev };
    });
    dGi[t] = step.dgi;
    dGh[t] = step.dgh;
    dh = step.dhPrev;
  }
  const dGI = tf.concat(dGi, 0) as tf.Tensor2D; // [T * B, 3H]
  const dGH = tf.concat(dGh, 0) as tf.Tensor2D;
  const hPrev = tf.concat(tape.hs.slice(0, seqLen), 0) as tf.Tensor2D; // [T * B, H]
  return {
    // Transpose explicitly: matMul(a, b, transposeA) leaves the fast path on wasm.
    weightIh: tf.matMul(tf.transpose(dGI), tape.x), // [3H, In]
    weightHh: tf.matMul(tf.transpose(dGH), hPrev), // [3H, H]
    biasIh: tf.sum(dGI, 0),
    biasHh: tf.sum(dGH, 0),
    dx: tf.matMul(dGI, w.weightIh), // [T * B, In]
  };
}
