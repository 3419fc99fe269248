// What part of a config a run covers (summary.json and plan.json record it).
import type { ShardLoad } from './shard';
import type { StageLoad } from './stage';

/** Which part of a config a run covers: --only, --shard (summary.json records it). */
export interface RunSelection {
  only?: string[];
  shard?: string;
  /** With --shard: every shard's share of the jobs (merge counts a missing shard's jobs as pending). */
  shards?: ShardLoad[];
  /** With --stage: this task's stage, s/S (`shard` and `shards` then are the stage's tasks). */
  stage?: string;
  /** With --stage: every stage of the layout (merge counts a missing stage's jobs from it). */
  stages?: StageLoad[];
  /** Jobs of the whole config. */
  planJobs: number;
}
