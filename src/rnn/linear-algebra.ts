// The few float64 vector and matrix operations back-propagation through time needs, on plain
// arrays: the sizes here are tiny, and plain arrays print, compare and serialise as they are.

export type Vector = number[];
/** Row-major: `M[i][j]` is row i, column j. */
export type Matrix = number[][];

export function zeros(length: number): Vector {
  return new Array<number>(length).fill(0);
}

export function zeroMatrix(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => zeros(cols));
}

/** M v, summed left to right. */
export function matVec(M: Matrix, v: Vector): Vector {
  return M.map((row) => {
    let sum = 0;
    for (let j = 0; j < row.length; j++) sum += row[j] * v[j];
    return sum;
  });
}

/** vᵀ M (a row vector times a matrix), i.e. Mᵀ v. */
export function vecMat(v: Vector, M: Matrix): Vector {
  const out = zeros(M[0]?.length ?? 0);
  for (let i = 0; i < M.length; i++) for (let j = 0; j < out.length; j++) out[j] += v[i] * M[i][j];
  return out;
}

/** A B. */
export function matMul(A: Matrix, B: Matrix): Matrix {
  return A.map((row) => vecMat(row, B));
}

export function add(a: Vector, b: Vector): Vector {
  return a.map((value, i) => value + b[i]);
}

export function hadamard(a: Vector, b: Vector): Vector {
  return a.map((value, i) => value * b[i]);
}

export function scale(a: Vector, factor: number): Vector {
  return a.map((value) => value * factor);
}

export function diag(v: Vector): Matrix {
  return v.map((value, i) => v.map((_, j) => (i === j ? value : 0)));
}

/** Adds the outer product a bᵀ to M in place. */
export function addOuter(M: Matrix, a: Vector, b: Vector): void {
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) M[i][j] += a[i] * b[j];
}

/** Adds v to a in place. */
export function addInPlace(a: Vector, v: Vector): void {
  for (let i = 0; i < a.length; i++) a[i] += v[i];
}
