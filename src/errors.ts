// Errors a user can act on. Each carries the exit code it ends the program with; the command line
// maps them once (src/cli.ts) and prints only the message, never a stack trace.
import { EXIT } from './exit-codes';

/** Bad input whose message says what to fix; the program ends with `exitCode`. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command line or run folder (no such job, not a run folder, …): exit code 2, nothing was run. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/**
 * An error as one line: `Name: message [CODE]`. Works on errors from another realm (a worker
 * thread, or jest's) and on the plain objects a worker sends back, so it does not use instanceof.
 */
export function describeError(error: unknown): string {
  const fields = errorFields(error);
  if (!fields) return String(error);
  const { name, message, code } = fields;
  const prefix = name && name !== 'Error' ? `${name}: ` : '';
  return `${prefix}${message}${code && !message.includes(code) ? ` [${code}]` : ''}`;
}

/** What of an error crosses a thread: its name, message and system error code. */
export interface ErrorFields {
  name?: string;
  message: string;
  code?: string;
}

/** The name, message and code of anything with a string `message`; undefined for anything else. */
export function errorFields(error: unknown): ErrorFields | undefined {
  if (error === null || typeof error !== 'object' || typeof (error as Error).message !== 'string')
    return undefined;
  const { name, message } = error as Error;
  const code = (error as NodeJS.ErrnoException).code;
  return {
    ...(typeof name === 'string' ? { name } : {}),
    message,
    ...(typeof code === 'string' ? { code } : {}),
  };
}
