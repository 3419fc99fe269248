// SIMD kernels for tfjs' wasm backend, compiled by AssemblyScript at `npm run build` into
// dist/assembly/. The module imports the backend's own memory and allocates nothing: every
// argument is a byte address of a tensor (NHWC float32) or scratch the caller made, so the
// kernels read and write tfjs' tensors in place. No static data either (no strings, no
// assertions): a data segment would overwrite the backend's memory.
// Vectors run over the innermost (channel) axis; a scalar loop takes the channels left over.

/** a·b + c: fused (one rounding) only in the relaxed-SIMD build. */
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

function f32At(base: usize, index: i32): f32 {
  return load<f32>(base + ((<usize>index) << 2));
}

function v128At(base: usize, index: i32): v128 {
  return v128.load(base + ((<usize>index) << 2));
}

/** Smallest o ≥ 0 with o·stride + offset ≥ 0 (offset = k·dilation − pad). */
function firstInside(offset: i32, stride: i32): i32 {
  if (offset >= 0) return 0;
  return stride === 1 ? -offset : (-offset + stride - 1) / stride;
}

/** One past the largest o with o·stride + offset < size, at most count. */
function endInside(offset: i32, stride: i32, size: i32, count: i32): i32 {
  const room = size - offset;
  if (room <= 0) return 0;
  const end = stride === 1 ? room : (room + stride - 1) / stride;
  return end < count ? end : count;
}

/**
 * Conv2D's filter gradient: dw[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, ih, iw, ci] · dy[b, oh, ow, co]
 * with ih = oh·sh + kh·dh − padTop, iw = ow·sw + kw·dw − padLeft (cells in the padding add nothing).
 * One image at a time (its x and dy stay in cache), and within it one or two taps (kh, kw, ci)
 * and up to 12 output channels at a time, summed over all of the image's output cells in
 * registers: each dy load serves both taps. Every dw value is still summed in the order b, oh, ow.
 */
export function conv2dFilterGrad(
  x: usize,
  dy: usize,
  dw: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
): void {
  memory.fill(dw, 0, (<usize>(fh * fw * inC * outC)) << 2);
  const vecEnd = outC & ~3;
  const taps = fh * fw * inC;
  const xImage = (<usize>(inH * inW * inC)) << 2;
  const dyImage = (<usize>(outH * outW * outC)) << 2;
  for (let b = 0; b < batch; b++) {
    const xb = x + <usize>b * xImage;
    const dyb = dy + <usize>b * dyImage;
    // Tap t = (kh, kw, ci) and the one after it, t + 1 = (kh2, kw2, ci2).
    let kh = 0;
    let kw = 0;
    let ci = 0;
    for (let t = 0; t < taps; ) {
      let kh2 = kh;
      let kw2 = kw;
      let ci2 = ci + 1;
      if (ci2 === inC) {
        ci2 = 0;
        kw2++;
        if (kw2 === fw) {
          kw2 = 0;
          kh2++;
        }
      }
      const rowOffset = kh * dh - padTop;
      const colOffset = kw * dwl - padLeft;
      const ohStart = firstInside(rowOffset, sh);
      const ohEnd = endInside(rowOffset, sh, inH, outH);
      const owStart = firstInside(colOffset, sw);
      const owEnd = endInside(colOffset, sw, inW, outW);
      // The next tap joins this one when it reaches the same output cells; `pair` is its
      // distance in x (0: alone).
      let pair = 0;
      if (t + 1 < taps) {
        const rowOffset2 = kh2 * dh - padTop;
        const colOffset2 = kw2 * dwl - padLeft;
        if (
          firstInside(rowOffset2, sh) === ohStart &&
          endInside(rowOffset2, sh, inH, outH) === ohEnd &&
          firstInside(colOffset2, sw) === owStart &&
          endInside(colOffset2, sw, inW, outW) === owEnd
        )
          pair = ((rowOffset2 - rowOffset) * inW + colOffset2 - colOffset) * inC + ci2 - ci;
      }
      // x at tap t for output cell (0, 0) (outside the image when padded: never read there).
      const xAt = xb + ((<isize>((rowOffset * inW + colOffset) * inC + ci)) << 2);
      const to = dw + ((<usize>(t * outC)) << 2);
      // The block's first cell (ohStart, owStart) in x and dy, and its steps to the next column and row.
      const rows = ohEnd - ohStart;
      const cols = owEnd - owStart;
      const xFirst = xAt + ((<usize>((ohStart * sh * inW + owStart * sw) * inC)) << 2);
      const xStep = (<usize>(sw * inC)) << 2;
      const xRow = (<usize>(sh * inW * inC)) << 2;
      const gRow = (<usize>(outW * outC)) << 2;
      const next = (<usize>outC) << 2;
      for (let co = 0; co < vecEnd; co += 12) {
        const vectors = min(3, (vecEnd - co) >> 2);
        const g = dyb + ((<usize>((ohStart * outW + owStart) * outC + co)) << 2);
        const at = to + ((<usize>co) << 2);
        // Literal shapes, so that the inlined loop keeps its accumulators in registers.
        if (pair !== 0) {
          if (vectors === 3)
            FilterGradBlock.run(xFirst, g, at, rows, cols, xStep, xRow, gRow, pair, next, 2, 3);
          else if (vectors === 2)
            FilterGradBlock.run(xFirst, g, at, rows, cols, xStep, xRow, gRow, pair, next, 2, 2);
          else FilterGradBlock.run(xFirst, g, at, rows, cols, xStep, xRow, gRow, pair, next, 2, 1);
        } else if (vectors === 3)
          FilterGradBlock.run(xFirst, g, at, rows, cols, xStep, xRow, gRow, 0, next, 1, 3);
        else if (vectors === 2)
          FilterGradBlock.run(xFirst, g, at, rows, cols, xStep, xRow, gRow, 0, next, 1, 2);
        else FilterGradBlock.run(xFirst, g, at, rows, cols, xStep, xRow, gRow, 0, next, 1, 1);
      }
      for (let co = vecEnd; co < outC; co++) {
        for (let k = 0; k < (pair !== 0 ? 2 : 1); k++) {
          const from = xAt + ((<isize>(k * pair)) << 2);
          const at = to + ((<usize>(k * outC + co)) << 2);
          let acc = load<f32>(at);
          for (let oh = ohStart; oh < ohEnd; oh++) {
            for (let ow = owStart; ow < owEnd; ow++) {
              const cell = ((oh * sh * inW + ow * sw) * inC) << 2;
              acc += load<f32>(from + cell) * f32At(dyb, (oh * outW + ow) * outC + co);
            }
          }
          store<f32>(at, acc);
        }
      }
      if (pair === 0) {
        t++;
        kh = kh2;
        kw = kw2;
        ci = ci2;
        continue;
      }
      t += 2;
      kh = kh2;
      kw = kw2;
      ci = ci2 + 1;
      if (ci === inC) {
        ci = 0;
        kw++;
        if (kw === fw) {
          kw = 0;
          kh++;
        }
      }
    }
  }
}

// biome-ignore lint/complexity/noStaticOnlyClass: TypeScript allows @inline only on methods, and the literal shapes need inlining.
class FilterGradBlock {
  /**
   * conv2dFilterGrad's dw rows of one tap (at `to`) or two (taps 2: the second `pair` floats
   * further in x, its row next in dw, `next` bytes on), `vectors` vectors of output channels,
   * summed over `rows` × `cols` output cells of one image: x and dy point at the first, and step
   * `xStep` and `next` bytes to the next column, `xRow` and `gRow` to the next row.
   */
  @inline
  static run(
    x: usize,
    dy: usize,
    to: usize,
    rows: i32,
    cols: i32,
    xStep: usize,
    xRow: usize,
    gRow: usize,
    pair: i32,
    next: usize,
    taps: i32,
    vectors: i32,
  ): void {
    const zero = f32x4.splat(0);
    const second = (<isize>pair) << 2;
    let a0 = v128.load(to);
    let a1 = vectors > 1 ? v128.load(to, 16) : zero;
    let a2 = vectors > 2 ? v128.load(to, 32) : zero;
    let b0 = taps > 1 ? v128.load(to + next) : zero;
    let b1 = taps > 1 && vectors > 1 ? v128.load(to + next, 16) : zero;
    let b2 = taps > 1 && vectors > 2 ? v128.load(to + next, 32) : zero;
    for (let r = 0; r < rows; r++) {
      let xAt = x + <usize>r * xRow;
      let g = dy + <usize>r * gRow;
      for (let c = 0; c < cols; c++) {
        const g0 = v128.load(g);
        const g1 = vectors > 1 ? v128.load(g, 16) : zero;
        const g2 = vectors > 2 ? v128.load(g, 32) : zero;
        const xa = v128.load32_splat(xAt);
        a0 = madd(xa, g0, a0);
        if (vectors > 1) a1 = madd(xa, g1, a1);
        if (vectors > 2) a2 = madd(xa, g2, a2);
        if (taps > 1) {
          const xb = v128.load32_splat(xAt + second);
          b0 = madd(xb, g0, b0);
          if (vectors > 1) b1 = madd(xb, g1, b1);
          if (vectors > 2) b2 = madd(xb, g2, b2);
        }
        xAt += xStep;
        g += next;
      }
    }
    v128.store(to, a0);
    if (vectors > 1) v128.store(to, a1, 16);
    if (vectors > 2) v128.store(to, a2, 32);
    if (taps > 1) {
      v128.store(to + next, b0);
      if (vectors > 1) v128.store(to + next, b1, 16);
      if (vectors > 2) v128.store(to + next, b2, 32);
    }
  }
}

/**
 * Conv2D's input gradient, gathered per input cell: dx[b, ih, iw, ci] = Σ over the (kh, kw) that
 * reach it from an output cell (oh, ow) of Σ_co dy[b, oh, ow, co] · w[kh, kw, ci, co].
 * `wt` is the filter transposed by the caller to [kh, kw, co, ci], so channels ci are contiguous;
 * up to 16 input channels (4 vectors) at a time.
 */
export function conv2dInputGrad(
  dy: usize,
  wt: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const vecEnd = inC & ~3;
  for (let b = 0; b < batch; b++) {
    for (let ih = 0; ih < inH; ih++) {
      for (let iw = 0; iw < inW; iw++) {
        const dxAt = ((b * inH + ih) * inW + iw) * inC;
        for (let ci = 0; ci < vecEnd; ci += 16) {
          const vectors = min(4, (vecEnd - ci) >> 2);
          let acc0 = f32x4.splat(0);
          let acc1 = acc0;
          let acc2 = acc0;
          let acc3 = acc0;
          for (let kh = 0; kh < fh; kh++) {
            const rowOffset = ih + padTop - kh * dh;
            if (rowOffset < 0 || rowOffset % sh !== 0) continue;
            const oh = rowOffset / sh;
            if (oh >= outH) continue;
            for (let kw = 0; kw < fw; kw++) {
              const colOffset = iw + padLeft - kw * dwl;
              if (colOffset < 0 || colOffset % sw !== 0) continue;
              const ow = colOffset / sw;
              if (ow >= outW) continue;
              const dyAt = ((b * outH + oh) * outW + ow) * outC;
              let from = wt + ((<usize>((kh * fw + kw) * outC * inC + ci)) << 2);
              const step = (<usize>inC) << 2;
              for (let co = 0; co < outC; co++) {
                const g = f32x4.splat(f32At(dy, dyAt + co));
                acc0 = madd(g, v128.load(from), acc0);
                if (vectors > 1) acc1 = madd(g, v128.load(from, 16), acc1);
                if (vectors > 2) acc2 = madd(g, v128.load(from, 32), acc2);
                if (vectors > 3) acc3 = madd(g, v128.load(from, 48), acc3);
                from += step;
              }
            }
          }
          const to = dx + ((<usize>(dxAt + ci)) << 2);
          v128.store(to, acc0);
          if (vectors > 1) v128.store(to, acc1, 16);
          if (vectors > 2) v128.store(to, acc2, 32);
          if (vectors > 3) v128.store(to, acc3, 48);
        }
        if (inC === 1) {
          store<f32>(
            dx + ((<usize>dxAt) << 2),
            oneChannelInputGrad(
              dy,
              wt,
              b,
              ih,
              iw,
              outH,
              outW,
              outC,
              fh,
              fw,
              sh,
              sw,
              dh,
              dwl,
              padTop,
              padLeft,
            ),
          );
          continue;
        }
        for (let ci = vecEnd; ci < inC; ci++) {
          let acc: f32 = 0;
          for (let kh = 0; kh < fh; kh++) {
            const rowOffset = ih + padTop - kh * dh;
            if (rowOffset < 0 || rowOffset % sh !== 0) continue;
            const oh = rowOffset / sh;
            if (oh >= outH) continue;
            for (let kw = 0; kw < fw; kw++) {
              const colOffset = iw + padLeft - kw * dwl;
              if (colOffset < 0 || colOffset % sw !== 0) continue;
              const ow = colOffset / sw;
              if (ow >= outW) continue;
              const dyAt = ((b * outH + oh) * outW + ow) * outC;
              const wtAt = (kh * fw + kw) * outC * inC + ci;
              for (let co = 0; co < outC; co++) acc += f32At(dy, dyAt + co) * f32At(wt, wtAt + co * inC);
            }
          }
          store<f32>(dx + ((<usize>(dxAt + ci)) << 2), acc);
        }
      }
    }
  }
}

/**
 * conv2dInputGrad at one cell of a one-channel input (a grayscale image: the gradient saliency
 * maps take), vectorised over the output channels instead: there are no input channels to vectorise over.
 */
function oneChannelInputGrad(
  dy: usize,
  w: usize,
  b: i32,
  ih: i32,
  iw: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
): f32 {
  const vecEnd = outC & ~3;
  // Two accumulators, so that consecutive multiply-adds do not wait on each other.
  let even = f32x4.splat(0);
  let odd = even;
  let tail: f32 = 0;
  for (let kh = 0; kh < fh; kh++) {
    const oh = strided(ih + padTop - kh * dh, sh, outH);
    if (oh < 0) continue;
    for (let kw = 0; kw < fw; kw++) {
      const ow = strided(iw + padLeft - kw * dwl, sw, outW);
      if (ow < 0) continue;
      const dyAt = ((b * outH + oh) * outW + ow) * outC;
      const wAt = (kh * fw + kw) * outC;
      let co = 0;
      for (; co + 8 <= vecEnd; co += 8) {
        even = madd(v128At(dy, dyAt + co), v128At(w, wAt + co), even);
        odd = madd(v128At(dy, dyAt + co + 4), v128At(w, wAt + co + 4), odd);
      }
      if (co < vecEnd) even = madd(v128At(dy, dyAt + co), v128At(w, wAt + co), even);
      for (co = vecEnd; co < outC; co++) tail += f32At(dy, dyAt + co) * f32At(w, wAt + co);
    }
  }
  const acc = f32x4.add(even, odd);
  return (
    f32x4.extract_lane(acc, 0) +
    f32x4.extract_lane(acc, 1) +
    f32x4.extract_lane(acc, 2) +
    f32x4.extract_lane(acc, 3) +
    tail
  );
}

/** offset / stride when that is a whole number in [0, count), else −1 (no division at stride 1). */
function strided(offset: i32, stride: i32, count: i32): i32 {
  if (offset < 0) return -1;
  let at = offset;
  if (stride !== 1) {
    if (offset % stride !== 0) return -1;
    at = offset / stride;
  }
  return at < count ? at : -1;
}

/**
 * Max pooling's gradient dx: each output's gradient dy goes to the first cell (row by row)
 * holding its window's maximum in x, as the cpu backend does. Windows that tile the input
 * (stride = window, no padding) write every cell of their window (the gradient or 0) and the
 * cells no window covers are zeroed; otherwise dx is zeroed first and the gradients added.
 * Either way each cell gets the same sum.
 */
export function maxPoolGrad(
  x: usize,
  dx: usize,
  dy: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  outH: i32,
  outW: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const tiled = sh === fh && sw === fw && padTop === 0 && padLeft === 0;
  if (tiled) zeroUncovered(dx, batch, inH, inW, channels, min(outH * fh, inH), min(outW * fw, inW));
  else memory.fill(dx, 0, (<usize>(batch * inH * inW * channels)) << 2);
  const vecEnd = channels & ~3;
  const negInf = f32x4.splat(-Infinity);
  const none = i32x4.splat(-1);
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const top = oh * sh - padTop;
      const h0 = max(top, 0);
      const h1 = min(top + fh, inH);
      for (let ow = 0; ow < outW; ow++) {
        const left = ow * sw - padLeft;
        const w0 = max(left, 0);
        const w1 = min(left + fw, inW);
        const outAt = ((b * outH + oh) * outW + ow) * channels;
        let c = 0;
        for (; c < vecEnd; c += 4) {
          let best = negInf;
          let where = none;
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const cell = ((b * inH + h) * inW + w) * channels + c;
              const v = v128At(x, cell);
              const greater = f32x4.gt(v, best);
              best = v128.bitselect(v, best, greater);
              where = v128.bitselect(i32x4.splat(cell), where, greater);
            }
          }
          const g = v128At(dy, outAt + c);
          if (tiled) {
            for (let h = h0; h < h1; h++) {
              for (let w = w0; w < w1; w++) {
                const cell = ((b * inH + h) * inW + w) * channels + c;
                const mine = i32x4.eq(where, i32x4.splat(cell));
                v128.store(dx + ((<usize>cell) << 2), v128.and(g, mine));
              }
            }
            continue;
          }
          scatterLane(dx, i32x4.extract_lane(where, 0), 0, f32x4.extract_lane(g, 0));
          scatterLane(dx, i32x4.extract_lane(where, 1), 1, f32x4.extract_lane(g, 1));
          scatterLane(dx, i32x4.extract_lane(where, 2), 2, f32x4.extract_lane(g, 2));
          scatterLane(dx, i32x4.extract_lane(where, 3), 3, f32x4.extract_lane(g, 3));
        }
        for (; c < channels; c++) {
          let best: f32 = -Infinity;
          let where = -1;
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const cell = ((b * inH + h) * inW + w) * channels + c;
              const v = f32At(x, cell);
              if (v > best) {
                best = v;
                where = cell;
              }
            }
          }
          const g = f32At(dy, outAt + c);
          if (tiled) {
            for (let h = h0; h < h1; h++) {
              for (let w = w0; w < w1; w++) {
                const cell = ((b * inH + h) * inW + w) * channels + c;
                store<f32>(dx + ((<usize>cell) << 2), cell === where ? g : 0);
              }
            }
          } else if (where >= 0) scatterLane(dx, where, 0, g);
        }
      }
    }
  }
}

/** Zeroes the cells of each image outside its top-left rows × cols (those no tiling window covers). */
function zeroUncovered(dx: usize, batch: i32, inH: i32, inW: i32, channels: i32, rows: i32, cols: i32): void {
  const rowBytes = (<usize>(inW * channels)) << 2;
  const marginBytes = (<usize>((inW - cols) * channels)) << 2;
  for (let b = 0; b < batch; b++) {
    const image = dx + <usize>(b * inH) * rowBytes;
    if (marginBytes > 0)
      for (let h = 0; h < rows; h++)
        memory.fill(image + <usize>h * rowBytes + rowBytes - marginBytes, 0, marginBytes);
    memory.fill(image + <usize>rows * rowBytes, 0, <usize>(inH - rows) * rowBytes);
  }
}

function scatterLane(dx: usize, cell: i32, lane: i32, g: f32): void {
  if (cell < 0) return;
  const at = dx + ((<usize>(cell + lane)) << 2);
  store<f32>(at, load<f32>(at) + g);
}

/** out[c] = Σ_r x[r, c]: a sum over every axis but the last (a bias gradient). */
export function sumRows(x: usize, out: usize, rows: i32, cols: i32): void {
  memory.fill(out, 0, (<usize>cols) << 2);
  const vecEnd = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    let c = 0;
    for (; c < vecEnd; c += 4) {
      const at = out + ((<usize>c) << 2);
      v128.store(at, f32x4.add(v128.load(at), v128At(x, row + c)));
    }
    for (; c < cols; c++) {
      const at = out + ((<usize>c) << 2);
      store<f32>(at, load<f32>(at) + f32At(x, row + c));
    }
  }
}

/**
 * One Adam step on n weights w, written to wOut, with moments m and v (updated in place) and
 * gradient g, with the float32
 * operations of tfjs' AdamOptimizer in its order, each rounded as its own tensor op would be
 * (so the weights are bit-identical to it):
 *   m ← m·β1 + g·(1−β1);  v ← v·β2 + g²·(1−β2);
 *   w ← (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε) · (−lr) + w.
 */
export function adam(
  w: usize,
  wOut: usize,
  m: usize,
  v: usize,
  g: usize,
  n: i32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  oneMinusAccBeta1: f32,
  oneMinusAccBeta2: f32,
  epsilon: f32,
  negativeRate: f32,
): void {
  const vecEnd = n & ~3;
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(oneMinusBeta2);
  const a1 = f32x4.splat(oneMinusAccBeta1);
  const a2 = f32x4.splat(oneMinusAccBeta2);
  const eps = f32x4.splat(epsilon);
  const rate = f32x4.splat(negativeRate);
  for (let i = 0; i < vecEnd; i += 4) {
    const at = (<usize>i) << 2;
    const gi = v128.load(g + at);
    const mi = f32x4.add(f32x4.mul(v128.load(m + at), b1), f32x4.mul(gi, c1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + at), b2), f32x4.mul(f32x4.mul(gi, gi), c2));
    v128.store(m + at, mi);
    v128.store(v + at, vi);
    const step = f32x4.div(f32x4.div(mi, a1), f32x4.add(f32x4.sqrt(f32x4.div(vi, a2)), eps));
    v128.store(wOut + at, f32x4.add(f32x4.mul(step, rate), v128.load(w + at)));
  }
  for (let i = vecEnd; i < n; i++) {
    const at = (<usize>i) << 2;
    const gi = load<f32>(g + at);
    const mi = load<f32>(m + at) * beta1 + gi * oneMinusBeta1;
    const vi = load<f32>(v + at) * beta2 + gi * gi * oneMinusBeta2;
    store<f32>(m + at, mi);
    store<f32>(v + at, vi);
    const step = mi / oneMinusAccBeta1 / (Mathf.sqrt(vi / oneMinusAccBeta2) + epsilon);
    store<f32>(wOut + at, step * negativeRate + load<f32>(w + at));
  }
}

/**
 * Conv2D forward for one image [inH, inW, inC], only at output cells [oh0, oh1) × [ow0, ow1) of
 * y [outH, outW, outC]: y = bias + Σ x · w (w [kh, kw, ci, co]), then ReLU when `relu` is 1.
 * `bias` 0 means none. Incremental occlusion recomputes just the window a patch changes.
 */
export function convWindow(
  x: usize,
  w: usize,
  bias: usize,
  y: usize,
  inH: i32,
  inW: i32,
  inC: i32,
  outW: i32,
  outC: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
  oh0: i32,
  oh1: i32,
  ow0: i32,
  ow1: i32,
  relu: i32,
): void {
  const vecEnd = outC & ~3;
  const zero = f32x4.splat(0);
  // Two cells at once where both see the same taps (channels a multiple of 4, no dilation): each
  // filter load then serves both. Side by side where the window lies wholly inside the input,
  // columns [fullStart, fullEnd) (found here once, not by a division per cell); one above the
  // other in the other columns (as at the edges of a padded input) where two rows see the same
  // filter rows.
  const paired = vecEnd === outC && dwl === 1;
  const fullStart = max(ow0, firstInside(-padLeft, sw));
  const fullEnd = paired ? min(ow1, endInside(fw - 1 - padLeft, sw, inW, outW)) : 0;
  // A filter row's taps (kw, ci) are then one run in x and in w: a pair's loop runs over all its
  // taps, skipping to the next row of x (and of w, for part of a row) after each run.
  const run = fw * inC;
  const skip = (<usize>((dh * inW - fw) * inC)) << 2;
  const xNext = (<usize>(sw * inC)) << 2;
  const xBelow = (<usize>(sh * inW * inC)) << 2;
  const next = (<usize>outC) << 2;
  const yBelow = (<usize>(outW * outC)) << 2;
  let pairedAbove = false;
  for (let oh = oh0; oh < oh1; oh++) {
    const rowOffset = oh * sh - padTop;
    const khStart = firstInside(rowOffset, dh);
    const khEnd = endInside(rowOffset, dh, inH, fh);
    const pairBelow =
      paired &&
      !pairedAbove &&
      oh + 1 < oh1 &&
      firstInside(rowOffset + sh, dh) === khStart &&
      endInside(rowOffset + sh, dh, inH, fh) === khEnd;
    const steps = (khEnd - khStart) * run;
    const xRow = x + ((<usize>((rowOffset + khStart * dh) * inW * inC)) << 2);
    const wRow = w + ((<usize>(khStart * run * outC)) << 2);
    for (let ow = ow0; ow < ow1; ow++) {
      const colOffset = ow * sw - padLeft;
      const yAt = (oh * outW + ow) * outC;
      if (ow >= fullStart && ow + 1 < fullEnd) {
        const xAt = xRow + ((<usize>(colOffset * inC)) << 2);
        for (let co = 0; co < outC; co += 12) {
          const vectors = min(3, (outC - co) >> 2);
          const from = wRow + ((<usize>co) << 2);
          const b = bias !== 0 ? bias + ((<usize>co) << 2) : 0;
          const at = y + ((<usize>(yAt + co)) << 2);
          // Literal shapes, so that the inlined loop keeps its accumulators in registers.
          if (vectors === 3)
            ConvPairBlock.run(xAt, from, b, at, steps, run, skip, 0, next, xNext, next, relu, 3);
          else if (vectors === 2)
            ConvPairBlock.run(xAt, from, b, at, steps, run, skip, 0, next, xNext, next, relu, 2);
          else ConvPairBlock.run(xAt, from, b, at, steps, run, skip, 0, next, xNext, next, relu, 1);
        }
        ow++;
        continue;
      }
      if (pairedAbove) continue; // worked with the cell above it
      const kwStart = firstInside(colOffset, dwl);
      const kwEnd = endInside(colOffset, dwl, inW, fw);
      if (pairBelow) {
        const part = (kwEnd - kwStart) * inC;
        const xAt = xRow + ((<usize>((colOffset + kwStart) * inC)) << 2);
        const xSkip = skip + ((<usize>(run - part)) << 2);
        const wSkip = <usize>(run - part) * next;
        for (let co = 0; co < outC; co += 12) {
          const vectors = min(3, (outC - co) >> 2);
          const from = wRow + ((<usize>(kwStart * inC * outC + co)) << 2);
          const b = bias !== 0 ? bias + ((<usize>co) << 2) : 0;
          const at = y + ((<usize>(yAt + co)) << 2);
          const n = (khEnd - khStart) * part;
          if (vectors === 3)
            ConvPairBlock.run(xAt, from, b, at, n, part, xSkip, wSkip, next, xBelow, yBelow, relu, 3);
          else if (vectors === 2)
            ConvPairBlock.run(xAt, from, b, at, n, part, xSkip, wSkip, next, xBelow, yBelow, relu, 2);
          else ConvPairBlock.run(xAt, from, b, at, n, part, xSkip, wSkip, next, xBelow, yBelow, relu, 1);
        }
        continue;
      }
      for (let co = 0; co < vecEnd; co += 16) {
        const vectors = min(4, (vecEnd - co) >> 2);
        const b = bias + ((<usize>co) << 2);
        let acc0 = bias !== 0 ? v128.load(b) : zero;
        let acc1 = bias !== 0 && vectors > 1 ? v128.load(b, 16) : zero;
        let acc2 = bias !== 0 && vectors > 2 ? v128.load(b, 32) : zero;
        let acc3 = bias !== 0 && vectors > 3 ? v128.load(b, 48) : zero;
        for (let kh = khStart; kh < khEnd; kh++) {
          const ih = rowOffset + kh * dh;
          for (let kw = kwStart; kw < kwEnd; kw++) {
            const xAt = (ih * inW + colOffset + kw * dwl) * inC;
            let from = w + ((<usize>((kh * fw + kw) * inC * outC + co)) << 2);
            const step = (<usize>outC) << 2;
            for (let ci = 0; ci < inC; ci++) {
              const xv = f32x4.splat(f32At(x, xAt + ci));
              acc0 = madd(xv, v128.load(from), acc0);
              if (vectors > 1) acc1 = madd(xv, v128.load(from, 16), acc1);
              if (vectors > 2) acc2 = madd(xv, v128.load(from, 32), acc2);
              if (vectors > 3) acc3 = madd(xv, v128.load(from, 48), acc3);
              from += step;
            }
          }
        }
        if (relu) {
          acc0 = f32x4.max(acc0, zero);
          acc1 = f32x4.max(acc1, zero);
          acc2 = f32x4.max(acc2, zero);
          acc3 = f32x4.max(acc3, zero);
        }
        const to = y + ((<usize>(yAt + co)) << 2);
        v128.store(to, acc0);
        if (vectors > 1) v128.store(to, acc1, 16);
        if (vectors > 2) v128.store(to, acc2, 32);
        if (vectors > 3) v128.store(to, acc3, 48);
      }
      for (let co = vecEnd; co < outC; co++) {
        let acc: f32 = bias !== 0 ? f32At(bias, co) : 0;
        for (let kh = khStart; kh < khEnd; kh++) {
          const ih = rowOffset + kh * dh;
          for (let kw = kwStart; kw < kwEnd; kw++) {
            const xAt = (ih * inW + colOffset + kw * dwl) * inC;
            const wAt = (kh * fw + kw) * inC * outC + co;
            for (let ci = 0; ci < inC; ci++) acc += f32At(x, xAt + ci) * f32At(w, wAt + ci * outC);
          }
        }
        if (relu && acc < 0) acc = 0;
        store<f32>(y + ((<usize>(yAt + co)) << 2), acc);
      }
    }
    pairedAbove = pairBelow;
  }
}

// biome-ignore lint/complexity/noStaticOnlyClass: TypeScript allows @inline only on methods, and the literal shapes need inlining.
class ConvPairBlock {
  /**
   * Two of convWindow's cells, `vectors` vectors of channels: `steps` taps from x (the first
   * cell; the second `xNext` bytes on) and w (`wStep` bytes per tap), skipping `skip`
   * bytes of x and `wSkip` of w after every `run` taps; written at `to` and `yNext` bytes on.
   */
  @inline
  static run(
    x: usize,
    w: usize,
    bias: usize,
    to: usize,
    steps: i32,
    run: i32,
    skip: usize,
    wSkip: usize,
    wStep: usize,
    xNext: usize,
    yNext: usize,
    relu: i32,
    vectors: i32,
  ): void {
    const zero = f32x4.splat(0);
    let a0 = bias !== 0 ? v128.load(bias) : zero;
    let a1 = bias !== 0 && vectors > 1 ? v128.load(bias, 16) : zero;
    let a2 = bias !== 0 && vectors > 2 ? v128.load(bias, 32) : zero;
    let b0 = a0;
    let b1 = a1;
    let b2 = a2;
    let xAt = x;
    let from = w;
    let j = 0;
    for (let k = 0; k < steps; k++) {
      const xa = v128.load32_splat(xAt);
      const xb = v128.load32_splat(xAt + xNext);
      const w0 = v128.load(from);
      a0 = madd(xa, w0, a0);
      b0 = madd(xb, w0, b0);
      if (vectors > 1) {
        const w1 = v128.load(from, 16);
        a1 = madd(xa, w1, a1);
        b1 = madd(xb, w1, b1);
      }
      if (vectors > 2) {
        const w2 = v128.load(from, 32);
        a2 = madd(xa, w2, a2);
        b2 = madd(xb, w2, b2);
      }
      xAt += 4;
      from += wStep;
      if (++j === run) {
        j = 0;
        xAt += skip;
        from += wSkip;
      }
    }
    if (relu) {
      // pmax, not max: one instruction, and the scalar path's `acc < 0 ? 0 : acc`.
      a0 = f32x4.pmax(a0, zero);
      a1 = f32x4.pmax(a1, zero);
      a2 = f32x4.pmax(a2, zero);
      b0 = f32x4.pmax(b0, zero);
      b1 = f32x4.pmax(b1, zero);
      b2 = f32x4.pmax(b2, zero);
    }
    v128.store(to, a0);
    v128.store(to + yNext, b0);
    if (vectors > 1) {
      v128.store(to, a1, 16);
      v128.store(to + yNext, b1, 16);
    }
    if (vectors > 2) {
      v128.store(to, a2, 32);
      v128.store(to + yNext, b2, 32);
    }
  }
}

/**
 * Max (average = 0) or average (average = 1, 'valid' windows: divided by fh·fw) pooling of one
 * image [inH, inW, channels], only at output cells [oh0, oh1) × [ow0, ow1) of y [outH, outW, channels].
 */
export function poolWindow(
  x: usize,
  y: usize,
  inH: i32,
  inW: i32,
  channels: i32,
  outW: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  padTop: i32,
  padLeft: i32,
  oh0: i32,
  oh1: i32,
  ow0: i32,
  ow1: i32,
  average: i32,
): void {
  const vecEnd = channels & ~3;
  const scale: f32 = 1 / <f32>(fh * fw);
  for (let oh = oh0; oh < oh1; oh++) {
    const top = oh * sh - padTop;
    const h0 = max(top, 0);
    const h1 = min(top + fh, inH);
    for (let ow = ow0; ow < ow1; ow++) {
      const left = ow * sw - padLeft;
      const w0 = max(left, 0);
      const w1 = min(left + fw, inW);
      const yAt = (oh * outW + ow) * channels;
      let c = 0;
      for (; c < vecEnd; c += 4) {
        let acc = average ? f32x4.splat(0) : f32x4.splat(-Infinity);
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const v = v128At(x, (h * inW + w) * channels + c);
            acc = average ? f32x4.add(acc, v) : f32x4.pmax(acc, v);
          }
        }
        if (average) acc = f32x4.mul(acc, f32x4.splat(scale));
        v128.store(y + ((<usize>(yAt + c)) << 2), acc);
      }
      for (; c < channels; c++) {
        let acc: f32 = average ? 0 : -Infinity;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const v = f32At(x, (h * inW + w) * channels + c);
            if (average) acc += v;
            else if (v > acc) acc = v;
          }
        }
        store<f32>(y + ((<usize>(yAt + c)) << 2), average ? acc * scale : acc);
      }
    }
  }
}

/** Flat index of the first i in [from, to) where a[i] and b[i] differ (as JavaScript's `!==`: NaN always does), or `to`. */
function firstDifference(a: usize, b: usize, from: i32, to: i32): i32 {
  let i = from;
  while (i + 4 <= to && !v128.any_true(f32x4.ne(v128At(a, i), v128At(b, i)))) i += 4;
  for (; i < to; i++) if (f32At(a, i) !== f32At(b, i)) return i;
  return to;
}

/** Flat index of the last i in [from, to) where a[i] and b[i] differ, or from − 1. */
function lastDifference(a: usize, b: usize, from: i32, to: i32): i32 {
  let i = to;
  while (i - 4 >= from && !v128.any_true(f32x4.ne(v128At(a, i - 4), v128At(b, i - 4)))) i -= 4;
  for (; i > from; i--) if (f32At(a, i - 1) !== f32At(b, i - 1)) return i - 1;
  return from - 1;
}

/**
 * The smallest box holding every cell of rows [r0, r1) × columns [c0, c1) of `work` (an image
 * [h, w, channels]) where some channel differs from `clean`: its r0, r1, c0, c1 (half-open) as
 * four i32 at `box`, and 1; 0 when no cell differs. Incremental occlusion shrinks each layer's
 * window to it.
 */
export function changedBox(
  work: usize,
  clean: usize,
  w: i32,
  channels: i32,
  r0: i32,
  r1: i32,
  c0: i32,
  c1: i32,
  box: usize,
): i32 {
  let top = -1;
  let bottom = -1;
  let left = c1;
  let right = c0 - 1;
  for (let r = r0; r < r1; r++) {
    const rowStart = r * w * channels;
    const end = rowStart + c1 * channels;
    const first = firstDifference(work, clean, rowStart + c0 * channels, end);
    if (first === end) continue;
    if (top < 0) top = r;
    bottom = r;
    left = min(left, (first - rowStart) / channels);
    const last = lastDifference(work, clean, first, end);
    right = max(right, (last - rowStart) / channels);
  }
  if (top < 0) return 0;
  store<i32>(box, top);
  store<i32>(box, bottom + 1, 4);
  store<i32>(box, left, 8);
  store<i32>(box, right + 1, 12);
  return 1;
}

/** Copies rows [r0, r1) × columns [c0, c1) of an image [h, w, channels] from `from` to `to`. */
export function copyBox(
  from: usize,
  to: usize,
  w: i32,
  channels: i32,
  r0: i32,
  r1: i32,
  c0: i32,
  c1: i32,
): void {
  const bytes = (<usize>((c1 - c0) * channels)) << 2;
  for (let r = r0; r < r1; r++) {
    const at = (<usize>((r * w + c0) * channels)) << 2;
    memory.copy(to + at, from + at, bytes);
  }
}

// The fused training step (src/tf/fused-training.ts) runs a sequential CNN's forward and backward
// pass with the kernels above and the few below, on whole batches; their geometry arguments are
// those of the gradient kernels (convGeometry, poolGeometry in src/tf/wasm-kernel-utils.ts).

/** Conv2D forward of a batch [batch, inH, inW, inC] → [batch, outH, outW, outC], ReLU when `relu` is 1: convWindow on every image. */
export function conv2dForward(
  x: usize,
  w: usize,
  bias: usize,
  y: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
  relu: i32,
): void {
  const xImage = (<usize>(inH * inW * inC)) << 2;
  const yImage = (<usize>(outH * outW * outC)) << 2;
  for (let b = 0; b < batch; b++) {
    convWindow(
      x + <usize>b * xImage,
      w,
      bias,
      y + <usize>b * yImage,
      inH,
      inW,
      inC,
      outW,
      outC,
      fh,
      fw,
      sh,
      sw,
      dh,
      dwl,
      padTop,
      padLeft,
      0,
      outH,
      0,
      outW,
      relu,
    );
  }
}

/**
 * Inference: a convolution (ReLU when `relu` is 1; geometry as conv2dForward) and the max pooling
 * over tiles above it (poolH × poolW windows of ph × pw cells, stride = window), one image at a
 * time: the convolution of the cells some window covers goes to `work` (one image's outH × outW ×
 * outC) and is pooled into y [batch, poolH, poolW, outC] while it is still in cache. No record of
 * where the maxima were (maxPoolTiles keeps one for the gradient). The values of conv2dForward
 * then maxPoolTiles: the same sums in the same order, the same maxima.
 */
export function convMaxPool(
  x: usize,
  w: usize,
  bias: usize,
  y: usize,
  work: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  inC: i32,
  outH: i32,
  outW: i32,
  outC: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  dh: i32,
  dwl: i32,
  padTop: i32,
  padLeft: i32,
  relu: i32,
  poolH: i32,
  poolW: i32,
  ph: i32,
  pw: i32,
): void {
  const xImage = (<usize>(inH * inW * inC)) << 2;
  const yImage = (<usize>(poolH * poolW * outC)) << 2;
  for (let b = 0; b < batch; b++) {
    const from = x + <usize>b * xImage;
    convWindow(
      from,
      w,
      bias,
      work,
      inH,
      inW,
      inC,
      outW,
      outC,
      fh,
      fw,
      sh,
      sw,
      dh,
      dwl,
      padTop,
      padLeft,
      0,
      poolH * ph,
      0,
      poolW * pw,
      relu,
    );
    if ((outC & 3) === 0) maxTiles(work, y + <usize>b * yImage, outW, outC, poolH, poolW, ph, pw);
    else
      poolWindow(
        work,
        y + <usize>b * yImage,
        outH,
        outW,
        outC,
        poolW,
        ph,
        pw,
        ph,
        pw,
        0,
        0,
        0,
        poolH,
        0,
        poolW,
        0,
      );
  }
}

/**
 * poolWindow's maxima over tiles (ph × pw windows, stride = window) of one image [·, inW, channels]
 * into y [poolH, poolW, channels], channels a multiple of 4: each window's cells in order, first
 * maximum kept (pmax), as poolWindow.
 */
function maxTiles(
  x: usize,
  y: usize,
  inW: i32,
  channels: i32,
  poolH: i32,
  poolW: i32,
  ph: i32,
  pw: i32,
): void {
  const cellBytes = (<usize>channels) << 2;
  const rowBytes = <usize>inW * cellBytes;
  const tileBytes = <usize>pw * cellBytes;
  let to = y;
  for (let oh = 0; oh < poolH; oh++) {
    let corner = x + <usize>(oh * ph) * rowBytes;
    for (let ow = 0; ow < poolW; ow++) {
      if (ph === 2 && pw === 2) {
        // The common window without loops: its four cells in poolWindow's order.
        const below = corner + rowBytes;
        for (let c: usize = 0; c < cellBytes; c += 16) {
          const top = f32x4.pmax(v128.load(corner + c), v128.load(corner + cellBytes + c));
          const bottom = f32x4.pmax(top, v128.load(below + c));
          v128.store(to + c, f32x4.pmax(bottom, v128.load(below + cellBytes + c)));
        }
        to += cellBytes;
        corner += tileBytes;
        continue;
      }
      for (let c: usize = 0; c < cellBytes; c += 16) {
        let best = f32x4.splat(-Infinity);
        let row = corner + c;
        for (let kh = 0; kh < ph; kh++) {
          let at = row;
          for (let kw = 0; kw < pw; kw++) {
            best = f32x4.pmax(best, v128.load(at));
            at += cellBytes;
          }
          row += rowBytes;
        }
        v128.store(to + c, best);
      }
      to += cellBytes;
      corner += tileBytes;
    }
  }
}

/** Max (average = 0) or average (average = 1, 'valid' windows) pooling of a batch: poolWindow on every image. */
export function pool2dForward(
  x: usize,
  y: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  outH: i32,
  outW: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  padTop: i32,
  padLeft: i32,
  average: i32,
): void {
  const xImage = (<usize>(inH * inW * channels)) << 2;
  const yImage = (<usize>(outH * outW * channels)) << 2;
  for (let b = 0; b < batch; b++) {
    poolWindow(
      x + <usize>b * xImage,
      y + <usize>b * yImage,
      inH,
      inW,
      channels,
      outW,
      fh,
      fw,
      sh,
      sw,
      padTop,
      padLeft,
      0,
      outH,
      0,
      outW,
      average,
    );
  }
}

/**
 * Max pooling over windows that tile the input (stride = window, no padding) of a batch: y the
 * maxima, `where` (i32, y's shape) the index kh·fw + kw in its window of the first cell (row by
 * row) holding each, or −1 when none is above −∞, for maxPoolTilesGrad.
 */
export function maxPoolTiles(
  x: usize,
  y: usize,
  where: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  outH: i32,
  outW: i32,
  fh: i32,
  fw: i32,
): void {
  const vecEnd = channels & ~3;
  const negInf = f32x4.splat(-Infinity);
  const none = i32x4.splat(-1);
  const cellBytes = (<usize>channels) << 2;
  const rowBytes = <usize>inW * cellBytes;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const outAt = (<usize>(((b * outH + oh) * outW + ow) * channels)) << 2;
        const corner = x + ((<usize>(((b * inH + oh * fh) * inW + ow * fw) * channels)) << 2);
        // Up to 16 channels (4 vectors) at a time, over the window's cells in order.
        for (let c = 0; c < vecEnd; c += 16) {
          const vectors = min(4, (vecEnd - c) >> 2);
          let best0 = negInf;
          let best1 = negInf;
          let best2 = negInf;
          let best3 = negInf;
          let found0 = none;
          let found1 = none;
          let found2 = none;
          let found3 = none;
          for (let kh = 0; kh < fh; kh++) {
            let at = corner + <usize>kh * rowBytes + ((<usize>c) << 2);
            for (let kw = 0; kw < fw; kw++) {
              const k = i32x4.splat(kh * fw + kw);
              const v0 = v128.load(at);
              const g0 = f32x4.gt(v0, best0);
              best0 = v128.bitselect(v0, best0, g0);
              found0 = v128.bitselect(k, found0, g0);
              if (vectors > 1) {
                const v1 = v128.load(at, 16);
                const g1 = f32x4.gt(v1, best1);
                best1 = v128.bitselect(v1, best1, g1);
                found1 = v128.bitselect(k, found1, g1);
              }
              if (vectors > 2) {
                const v2 = v128.load(at, 32);
                const g2 = f32x4.gt(v2, best2);
                best2 = v128.bitselect(v2, best2, g2);
                found2 = v128.bitselect(k, found2, g2);
              }
              if (vectors > 3) {
                const v3 = v128.load(at, 48);
                const g3 = f32x4.gt(v3, best3);
                best3 = v128.bitselect(v3, best3, g3);
                found3 = v128.bitselect(k, found3, g3);
              }
              at += cellBytes;
            }
          }
          const to = outAt + ((<usize>c) << 2);
          v128.store(y + to, best0);
          v128.store(where + to, found0);
          if (vectors > 1) {
            v128.store(y + to, best1, 16);
            v128.store(where + to, found1, 16);
          }
          if (vectors > 2) {
            v128.store(y + to, best2, 32);
            v128.store(where + to, found2, 32);
          }
          if (vectors > 3) {
            v128.store(y + to, best3, 48);
            v128.store(where + to, found3, 48);
          }
        }
        for (let c = vecEnd; c < channels; c++) {
          let best: f32 = -Infinity;
          let found = -1;
          for (let kh = 0; kh < fh; kh++) {
            for (let kw = 0; kw < fw; kw++) {
              const v = load<f32>(corner + <usize>kh * rowBytes + <usize>kw * cellBytes + ((<usize>c) << 2));
              if (v > best) {
                best = v;
                found = kh * fw + kw;
              }
            }
          }
          store<f32>(y + outAt + ((<usize>c) << 2), best);
          store<i32>(where + outAt + ((<usize>c) << 2), found);
        }
      }
    }
  }
}

/**
 * The gradient through maxPoolTiles into the layer below it, a convolution with ReLU (relu 1) or
 * without: dx[b, h, w, c] = dy of the window holding (h, w) where `where` points at it (and its
 * maximum y is positive, with ReLU), else 0; with the convolution's bias gradient
 * out[c] = Σ dx[·, c] summed in dx's order, as reluGradSumRows would (out 0: none).
 */
export function maxPoolTilesGrad(
  y: usize,
  where: usize,
  dy: usize,
  dx: usize,
  out: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  outH: i32,
  outW: i32,
  fh: i32,
  fw: i32,
  relu: i32,
): void {
  const coveredH = outH * fh;
  const coveredW = outW * fw;
  // Cells no window covers get 0 (and add 0 to the sums).
  zeroUncovered(dx, batch, inH, inW, channels, coveredH, coveredW);
  const vecEnd = channels & ~3;
  const zero = f32x4.splat(0);
  const cellBytes = (<usize>channels) << 2;
  for (let c = 0; c < vecEnd; c += 16) {
    const vectors = min(4, (vecEnd - c) >> 2);
    const lane = (<usize>c) << 2;
    let s0 = zero;
    let s1 = zero;
    let s2 = zero;
    let s3 = zero;
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < coveredH; h++) {
        const oh = h / fh;
        const kh = h - oh * fh;
        let from = ((<usize>((b * outH + oh) * outW * channels)) << 2) + lane;
        let to = dx + ((<usize>((b * inH + h) * inW * channels)) << 2) + lane;
        for (let ow = 0; ow < outW; ow++) {
          for (let kw = 0; kw < fw; kw++) {
            // The window's gradient where its maximum came from this cell (and was positive, with ReLU).
            const k = i32x4.splat(kh * fw + kw);
            let g0 = v128.and(v128.load(dy + from), i32x4.eq(v128.load(where + from), k));
            if (relu) g0 = v128.and(g0, f32x4.gt(v128.load(y + from), zero));
            v128.store(to, g0);
            s0 = f32x4.add(s0, g0);
            if (vectors > 1) {
              let g1 = v128.and(v128.load(dy + from, 16), i32x4.eq(v128.load(where + from, 16), k));
              if (relu) g1 = v128.and(g1, f32x4.gt(v128.load(y + from, 16), zero));
              v128.store(to, g1, 16);
              s1 = f32x4.add(s1, g1);
            }
            if (vectors > 2) {
              let g2 = v128.and(v128.load(dy + from, 32), i32x4.eq(v128.load(where + from, 32), k));
              if (relu) g2 = v128.and(g2, f32x4.gt(v128.load(y + from, 32), zero));
              v128.store(to, g2, 32);
              s2 = f32x4.add(s2, g2);
            }
            if (vectors > 3) {
              let g3 = v128.and(v128.load(dy + from, 48), i32x4.eq(v128.load(where + from, 48), k));
              if (relu) g3 = v128.and(g3, f32x4.gt(v128.load(y + from, 48), zero));
              v128.store(to, g3, 48);
              s3 = f32x4.add(s3, g3);
            }
            to += cellBytes;
          }
          from += cellBytes;
        }
      }
    }
    if (out !== 0) {
      v128.store(out + lane, s0);
      if (vectors > 1) v128.store(out + lane, s1, 16);
      if (vectors > 2) v128.store(out + lane, s2, 32);
      if (vectors > 3) v128.store(out + lane, s3, 48);
    }
  }
  for (let c = vecEnd; c < channels; c++) {
    let sum: f32 = 0;
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < coveredH; h++) {
        const oh = h / fh;
        for (let w = 0; w < coveredW; w++) {
          const ow = w / fw;
          const from = (<usize>(((b * outH + oh) * outW + ow) * channels + c)) << 2;
          const k = (h - oh * fh) * fw + w - ow * fw;
          let g: f32 = 0;
          if (load<i32>(where + from) === k && (!relu || load<f32>(y + from) > 0)) g = load<f32>(dy + from);
          store<f32>(dx + ((<usize>(((b * inH + h) * inW + w) * channels + c)) << 2), g);
          sum += g;
        }
      }
    }
    if (out !== 0) store<f32>(out + ((<usize>c) << 2), sum);
  }
}

/**
 * Average pooling's gradient ('valid' windows: divided by fh·fw), dx zeroed here: each window's
 * dy / (fh·fw) added to the cells of its window.
 */
export function avgPoolGrad(
  dx: usize,
  dy: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  outH: i32,
  outW: i32,
  fh: i32,
  fw: i32,
  sh: i32,
  sw: i32,
  padTop: i32,
  padLeft: i32,
): void {
  memory.fill(dx, 0, (<usize>(batch * inH * inW * channels)) << 2);
  const vecEnd = channels & ~3;
  const scale: f32 = 1 / <f32>(fh * fw);
  const scaleV = f32x4.splat(scale);
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const top = oh * sh - padTop;
      const h0 = max(top, 0);
      const h1 = min(top + fh, inH);
      for (let ow = 0; ow < outW; ow++) {
        const left = ow * sw - padLeft;
        const w0 = max(left, 0);
        const w1 = min(left + fw, inW);
        const outAt = ((b * outH + oh) * outW + ow) * channels;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const cell = ((b * inH + h) * inW + w) * channels;
            let c = 0;
            for (; c < vecEnd; c += 4) {
              const at = dx + ((<usize>(cell + c)) << 2);
              v128.store(at, f32x4.add(v128.load(at), f32x4.mul(v128At(dy, outAt + c), scaleV)));
            }
            for (; c < channels; c++) {
              const at = dx + ((<usize>(cell + c)) << 2);
              store<f32>(at, load<f32>(at) + f32At(dy, outAt + c) * scale);
            }
          }
        }
      }
    }
  }
}

/**
 * A convolution's gradient dy [rows, cols] masked by its ReLU in place (when `relu` is 1: 0 where
 * the output y is not positive), and its bias gradient out[c] = Σ_r dy[r, c] (when out is not 0),
 * in one pass.
 */
export function reluGradSumRows(y: usize, dy: usize, out: usize, rows: i32, cols: i32, relu: i32): void {
  if (out !== 0) memory.fill(out, 0, (<usize>cols) << 2);
  const vecEnd = cols & ~3;
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const row = (<usize>(r * cols)) << 2;
    let c = 0;
    for (; c < vecEnd; c += 4) {
      const at = row + ((<usize>c) << 2);
      let g = v128.load(dy + at);
      if (relu) {
        g = v128.and(g, f32x4.gt(v128.load(y + at), zero));
        v128.store(dy + at, g);
      }
      if (out !== 0) {
        const to = out + ((<usize>c) << 2);
        v128.store(to, f32x4.add(v128.load(to), g));
      }
    }
    for (; c < cols; c++) {
      const at = row + ((<usize>c) << 2);
      let g = load<f32>(dy + at);
      if (relu && !(load<f32>(y + at) > 0)) {
        g = 0;
        store<f32>(dy + at, g);
      }
      if (out !== 0) {
        const to = out + ((<usize>c) << 2);
        store<f32>(to, load<f32>(to) + g);
      }
    }
  }
}

/** ReLU's gradient in place: dy[i] = 0 where the ReLU's output y[i] is not positive. */
export function reluGrad(y: usize, dy: usize, n: i32): void {
  reluGradSumRows(y, dy, 0, 1, n, 1);
}

/** y = max(x, 0) over n values. */
export function relu(x: usize, y: usize, n: i32): void {
  const vecEnd = n & ~3;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i < vecEnd; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(y + at, f32x4.max(v128.load(x + at), zero));
  }
  for (; i < n; i++) {
    const at = (<usize>i) << 2;
    const v = load<f32>(x + at);
    store<f32>(y + at, max<f32>(v, 0));
  }
}

/**
 * A filter [cells, inC, outC] transposed to [cells, outC, inC] (conv2dInputGrad's layout), its
 * cells also in reverse order when `rotate` is 1 (the filter turned by 180°, which convolves dy
 * into a stride-1 convolution's input gradient).
 */
export function transposeFilter(w: usize, wt: usize, cells: i32, inC: i32, outC: i32, rotate: i32): void {
  for (let cell = 0; cell < cells; cell++) {
    const from = cell * inC * outC;
    const to = (rotate ? cells - 1 - cell : cell) * inC * outC;
    for (let ci = 0; ci < inC; ci++)
      for (let co = 0; co < outC; co++)
        store<f32>(wt + ((<usize>(to + co * inC + ci)) << 2), f32At(w, from + ci * outC + co));
  }
}

// Batch normalization in the fused network (src/tf/fused-batch-norm.ts), channels last: per-channel
// sums in float64 and a per-channel affine map in float32 vectors.

/**
 * Over `cells` cells of `channels` values: sums[c] = Σ a[·, c] and, unless b is 0, products[c] =
 * Σ a[·, c] · (b[·, c] − center[c]), in float64 (sums and products: float64 arrays, center float32).
 */
export function channelSums(
  a: usize,
  b: usize,
  center: usize,
  sums: usize,
  products: usize,
  cells: i32,
  channels: i32,
): void {
  memory.fill(sums, 0, (<usize>channels) << 3);
  if (b !== 0) memory.fill(products, 0, (<usize>channels) << 3);
  for (let cell = 0; cell < cells; cell++) {
    const at = cell * channels;
    for (let c = 0; c < channels; c++) {
      const av = <f64>f32At(a, at + c);
      const s = sums + ((<usize>c) << 3);
      store<f64>(s, load<f64>(s) + av);
      if (b === 0) continue;
      const p = products + ((<usize>c) << 3);
      store<f64>(p, load<f64>(p) + av * (<f64>f32At(b, at + c) - <f64>f32At(center, c)));
    }
  }
}

/** out[·, c] = scale[c] · a[·, c] + weight[c] · b[·, c] + shift[c] over `cells` cells (b 0: no b term). */
export function channelAffine(
  a: usize,
  b: usize,
  out: usize,
  scale: usize,
  weight: usize,
  shift: usize,
  cells: i32,
  channels: i32,
): void {
  const vecEnd = channels & ~3;
  for (let cell = 0; cell < cells; cell++) {
    const at = cell * channels;
    let c = 0;
    for (; c < vecEnd; c += 4) {
      let v = f32x4.add(f32x4.mul(v128At(scale, c), v128At(a, at + c)), v128At(shift, c));
      if (b !== 0) v = f32x4.add(v, f32x4.mul(v128At(weight, c), v128At(b, at + c)));
      v128.store(out + ((<usize>(at + c)) << 2), v);
    }
    for (; c < channels; c++) {
      let v = f32At(scale, c) * f32At(a, at + c) + f32At(shift, c);
      if (b !== 0) v += f32At(weight, c) * f32At(b, at + c);
      store<f32>(out + ((<usize>(at + c)) << 2), v);
    }
  }
}
