#!/usr/bin/env bash
# Submits the shard array and a merge job that starts when every task has ended (afterany: a
# shard with failed jobs still has results to merge; the merge's summary.json lists the failures).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p logs
shards=${SHARDS:-4}
array=$(sbatch --parsable --array=1-"$shards" deploy/slurm/shards.sbatch)
sbatch --dependency=afterany:"$array" --export=ALL,SHARDS="$shards" deploy/slurm/merge.sbatch
