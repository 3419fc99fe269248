// Parameters by name, as a problem's cell reads them and as gradients are reported: a vector
// (`b`, `h0`) or a matrix (`W`, `forget.U`). Ties name a set of parameters that move together
// (the LSTM shorthand "all gates share W, U, b"): the gradient of a tie is the sum of its
// members' gradients, and shifting one of its elements shifts that element in every member.
import type { Matrix, Vector } from './linear-algebra';

export type ParameterValue = Vector | Matrix;
export type NamedParameters = Record<string, ParameterValue>;
export type Ties = Record<string, string[]>;

/** One scalar of one parameter: `index` counts row-major over the parameter's elements. */
export interface ParameterElement {
  parameter: string;
  index: number;
}

export function isMatrix(value: ParameterValue): value is Matrix {
  return Array.isArray(value[0]);
}

export function elementCount(value: ParameterValue): number {
  return isMatrix(value) ? value.length * (value[0]?.length ?? 0) : value.length;
}

export function flatten(value: ParameterValue): number[] {
  return isMatrix(value) ? value.flat() : [...value];
}

export function getElement(value: ParameterValue, index: number): number {
  if (!isMatrix(value)) return value[index];
  const cols = value[0].length;
  return value[Math.floor(index / cols)][index % cols];
}

export function addToElement(value: ParameterValue, index: number, delta: number): void {
  if (!isMatrix(value)) {
    value[index] += delta;
    return;
  }
  const cols = value[0].length;
  value[Math.floor(index / cols)][index % cols] += delta;
}

/** `W[0][1]` for a matrix, `b[1]` for a vector. */
export function elementLabel(parameter: string, value: ParameterValue, index: number): string {
  if (!isMatrix(value)) return `${parameter}[${index}]`;
  const cols = value[0].length;
  return `${parameter}[${Math.floor(index / cols)}][${index % cols}]`;
}

export function cloneValue<T extends ParameterValue>(value: T): T {
  return (isMatrix(value) ? value.map((row) => [...row]) : [...value]) as T;
}

export function cloneParameters(parameters: NamedParameters): NamedParameters {
  return Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, cloneValue(value)]));
}

/** The plain parameters a name stands for: the tie's members, or the parameter itself. */
export function membersOf(name: string, parameters: NamedParameters, ties: Ties): string[] {
  if (ties[name]) return ties[name];
  if (parameters[name]) return [name];
  throw new Error(
    `unknown parameter "${name}"; expected one of ${[...Object.keys(parameters), ...Object.keys(ties)].join(', ')}`,
  );
}

/** The value a name stands for (a tie's members are equal until one of them moves alone). */
export function valueOfName(name: string, parameters: NamedParameters, ties: Ties): ParameterValue {
  return parameters[membersOf(name, parameters, ties)[0]];
}

/** A copy of `parameters` with element `index` of `name` (every member, for a tie) moved by `delta`. */
export function withElementShifted(
  parameters: NamedParameters,
  ties: Ties,
  element: ParameterElement,
  delta: number,
): NamedParameters {
  const shifted = cloneParameters(parameters);
  for (const member of membersOf(element.parameter, parameters, ties))
    addToElement(shifted[member], element.index, delta);
  return shifted;
}

/** Every name gradients are reported for: the plain parameters, then the ties. */
export function gradientNames(parameters: NamedParameters, ties: Ties): string[] {
  return [...Object.keys(parameters), ...Object.keys(ties)];
}

/** Every scalar of every named parameter, in report order. */
export function allElements(parameters: NamedParameters, ties: Ties): ParameterElement[] {
  return gradientNames(parameters, ties).flatMap((parameter) => {
    const count = elementCount(valueOfName(parameter, parameters, ties));
    return Array.from({ length: count }, (_, index) => ({ parameter, index }));
  });
}

/** Gradients of the plain parameters plus each tie's gradient, the sum of its members'. */
export function withTiedGradients(gradients: NamedParameters, ties: Ties): NamedParameters {
  const all = { ...gradients };
  for (const [tie, members] of Object.entries(ties)) {
    const sum = cloneValue(gradients[members[0]]);
    for (const member of members.slice(1)) {
      const count = elementCount(sum);
      for (let i = 0; i < count; i++) addToElement(sum, i, getElement(gradients[member], i));
    }
    all[tie] = sum;
  }
  return all;
}
