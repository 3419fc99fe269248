// Config problems: each names the file, the exact field path and what was expected.
// They end the program with exit code 2 before anything is written.
import { UserError } from './errors';
import { EXIT } from './exit-codes';

export interface ConfigProblem {
  /** Field path like `experiments[2].patch.size`; empty for the file as a whole. */
  path: string;
  message: string;
}

export class ConfigError extends UserError {
  readonly file: string;
  readonly problems: ConfigProblem[];

  constructor(file: string, problems: ConfigProblem[]) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'), EXIT.usage);
    this.file = file;
    this.problems = problems;
  }
}

export function formatProblem(file: string, problem: ConfigProblem): string {
  return problem.path ? `${file}: ${problem.path}: ${problem.message}` : `${file}: ${problem.message}`;
}

/** `['experiments', 2, 'patch', 'size']` → `experiments[2].patch.size`; appended to `prefix` when given. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let text = prefix;
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) text += text ? `.${part}` : part;
    else text += `[${JSON.stringify(String(part))}]`;
  }
  return text;
}

/** A value as it appears in a message: JSON, cut short when long. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * A problem with one field of an experiment found while planning (e.g. a layer that does not fit
 * the data): the runner reports it at `experiments[i].<field>`.
 */
export class FieldError extends Error {
  override name = 'FieldError';
  constructor(
    readonly field: PropertyKey[],
    message: string,
  ) {
    super(message);
  }
}
