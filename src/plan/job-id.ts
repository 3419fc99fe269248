// Content ids: an unchanged job keeps its id across runs, a changed one gets a new id, and so
// does every job downstream of it (the ids it needs are part of its own).
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';

/**
 * Version of the runner's own contract with jobs (how params, needs and results are passed).
 * Bump it only when that changes: it is part of every job id, so bumping reruns everything.
 */
export const CODE_VERSION = '1';

export interface JobIdentity {
  kind: string;
  /** Digest of the job kind's code (jobs/code-identity.ts). */
  code: string;
  params: unknown;
  /** Name in `needs` → id of the needed job. */
  needs: Record<string, string>;
}

/** 20 hex digits (80 bits) of sha256: short enough for folder names, collisions out of reach. */
export function jobId(identity: JobIdentity, paramsJson = canonicalJson(identity.params)): string {
  const needs = Object.keys(identity.needs)
    .sort()
    .map((name) => `${name}=${identity.needs[name]}`);
  const text = [CODE_VERSION, identity.kind, identity.code, paramsJson, needs.join(',')].join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}
