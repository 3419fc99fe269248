// The LSTM cell of the Deep Learning book, eqs. 10.40–10.44, with exact back-propagation through
// time. Four units read h(t−1) and x(t), each with its own W, U, b:
//
//   a_u(t) = b_u + W_u h(t−1) + U_u x(t)            u ∈ forget, input, output, cell
//   f = σ(a_forget)   g = σ(a_input)   q = σ(a_output)   z = σ(a_cell)   (the cell input is a
//   sigmoid in eq. 10.41)
//   s(t) = f ⊙ s(t−1) + g ⊙ z       h(t) = tanh(s(t)) ⊙ q
//   o(t) = c + V h(t)                y(t) = softmax(o(t))
import { sigmoid, softmax, softmaxJacobian } from './activations';
import type { Matrix, Vector } from './linear-algebra';
import { add, addInPlace, addOuter, hadamard, matVec, vecMat, zeroMatrix, zeros } from './linear-algebra';
import type { LossSpec } from './loss';
import { lossGradientWrtOutputs, lossValue } from './loss';

export const LSTM_UNITS = ['forget', 'input', 'output', 'cell'] as const;
export type LstmUnit = (typeof LSTM_UNITS)[number];

export interface UnitParameters {
  /** hidden × hidden (recurrent). */
  W: Matrix;
  /** hidden × input. */
  U: Matrix;
  b: Vector;
}

export interface LstmParameters {
  units: Record<LstmUnit, UnitParameters>;
  /** output × hidden. */
  V: Matrix;
  c: Vector;
  h0: Vector;
  s0: Vector;
}

export interface LstmStep {
  x: Vector;
  hPrev: Vector;
  sPrev: Vector;
  /** Pre-activation of each unit. */
  a: Record<LstmUnit, Vector>;
  f: Vector;
  g: Vector;
  q: Vector;
  z: Vector;
  s: Vector;
  tanhS: Vector;
  h: Vector;
  o: Vector;
  y: Vector;
}

function mapUnits<T>(make: (unit: LstmUnit) => T): Record<LstmUnit, T> {
  return { forget: make('forget'), input: make('input'), output: make('output'), cell: make('cell') };
}

export function lstmForward(p: LstmParameters, xs: Matrix): LstmStep[] {
  const steps: LstmStep[] = [];
  let hPrev = p.h0;
  let sPrev = p.s0;
  for (const x of xs) {
    const a = mapUnits((unit) => {
      const { W, U, b } = p.units[unit];
      return add(add(b, matVec(W, hPrev)), matVec(U, x));
    });
    const f = a.forget.map(sigmoid);
    const g = a.input.map(sigmoid);
    const q = a.output.map(sigmoid);
    const z = a.cell.map(sigmoid);
    const s = add(hadamard(f, sPrev), hadamard(g, z));
    const tanhS = s.map(Math.tanh);
    const h = hadamard(tanhS, q);
    const o = add(p.c, matVec(p.V, h));
    steps.push({ x, hPrev, sPrev, a, f, g, q, z, s, tanhS, h, o, y: softmax(o) });
    hPrev = h;
    sPrev = s;
  }
  return steps;
}

export function lstmLoss(p: LstmParameters, xs: Matrix, loss: LossSpec): number {
  return lossValue(
    lstmForward(p, xs).map((step) => step.y),
    loss,
  );
}

export interface LstmBackward {
  steps: LstmStep[];
  loss: number;
  gradients: LstmParameters;
  /** dL/da_u(t) per unit and step: step t's contribution to dL/db_u. */
  dLda: Record<LstmUnit, Vector[]>;
  /** dL/dh(t) directly through o(t) = c + V h(t), per step (the homework approximation starts from it). */
  dLdhDirect: Vector[];
}

const derivativeFromValue = (value: number) => value * (1 - value);

export function lstmBackward(p: LstmParameters, xs: Matrix, loss: LossSpec): LstmBackward {
  const steps = lstmForward(p, xs);
  const ys = steps.map((step) => step.y);
  const dLdy = lossGradientWrtOutputs(ys, loss);
  const hidden = p.h0.length;
  const inputs = p.units.forget.U[0].length;
  const g: LstmParameters = {
    units: mapUnits(() => ({
      W: zeroMatrix(hidden, hidden),
      U: zeroMatrix(hidden, inputs),
      b: zeros(hidden),
    })),
    V: zeroMatrix(p.V.length, hidden),
    c: zeros(p.c.length),
    h0: zeros(hidden),
    s0: zeros(hidden),
  };
  const dLda = mapUnits(() => new Array<Vector>(steps.length));
  const dLdhDirect = new Array<Vector>(steps.length);
  // What flows back into step t from step t+1: into h(t) through every a_u(t+1), into s(t) through s(t+1).
  let hFromNext = zeros(hidden);
  let sFromNext = zeros(hidden);
  for (let t = steps.length - 1; t >= 0; t--) {
    const step = steps[t];
    const dLdo = vecMat(dLdy[t], softmaxJacobian(step.y));
    dLdhDirect[t] = vecMat(dLdo, p.V);
    const dh = add(dLdhDirect[t], hFromNext);
    const ds = add(
      hadamard(
        dh,
        hadamard(
          step.q,
          step.tanhS.map((v) => 1 - v * v),
        ),
      ),
      sFromNext,
    );
    const da: Record<LstmUnit, Vector> = {
      forget: hadamard(hadamard(ds, step.sPrev), step.f.map(derivativeFromValue)),
      input: hadamard(hadamard(ds, step.z), step.g.map(derivativeFromValue)),
      output: hadamard(hadamard(dh, step.tanhS), step.q.map(derivativeFromValue)),
      cell: hadamard(hadamard(ds, step.g), step.z.map(derivativeFromValue)),
    };
    hFromNext = zeros(hidden);
    for (const unit of LSTM_UNITS) {
      dLda[unit][t] = da[unit];
      addOuter(g.units[unit].W, da[unit], step.hPrev);
      addOuter(g.units[unit].U, da[unit], step.x);
      addInPlace(g.units[unit].b, da[unit]);
      addInPlace(hFromNext, vecMat(da[unit], p.units[unit].W));
    }
    addOuter(g.V, dLdo, step.h);
    addInPlace(g.c, dLdo);
    sFromNext = hadamard(ds, step.f);
  }
  g.h0 = hFromNext;
  g.s0 = sFromNext;
  return { steps, loss: lossValue(ys, loss), gradients: g, dLda, dLdhDirect };
}
