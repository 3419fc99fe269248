// One step of plain gradient descent on chosen parameters: θ ← θ − rate · dL/dθ.
import type { NamedParameters, Ties } from './parameters';
import { addToElement, cloneParameters, elementCount, getElement, membersOf } from './parameters';

/**
 * New parameters after one step on `names`. A tie's members all move by the tie's gradient, so
 * they stay equal; every other parameter keeps its value.
 */
export function gradientDescentStep(
  parameters: NamedParameters,
  ties: Ties,
  gradients: NamedParameters,
  names: string[],
  rate: number,
): NamedParameters {
  const next = cloneParameters(parameters);
  for (const name of names) {
    const gradient = gradients[name];
    for (const member of membersOf(name, parameters, ties)) {
      for (let i = 0; i < elementCount(gradient); i++)
        addToElement(next[member], i, -rate * getElement(gradient, i));
    }
  }
  return next;
}
