#!/usr/bin/env bash
# Submits one sweep to Slurm: a job array whose task k runs --shard k/n into
# <out>/<name>-shard-k-of-n, and a merge job that starts when every task has ended (afterany: a
# failed or cancelled shard still leaves results to merge; the merge names it, with the command
# that reruns it, and exits 1). Run it from anywhere; it prints the two job ids.
#
# Settings (environment variables; the defaults fit a small node):
#   PROBELAB_CONFIG  config file, relative to the checkout        configs/smoke.json
#   PROBELAB_SHARDS  number of shards n                            2
#   PROBELAB_CPUS    CPUs per shard (its worker threads)           2
#   PROBELAB_MEM     memory per shard (sbatch --mem)               4G
#   PROBELAB_TIME    time limit per shard (sbatch --time)          08:00:00
#   PROBELAB_OUT     folder of the run folders                     outputs (in the checkout)
#   PROBELAB_DIR     the checkout, built (npm ci && npm run build) the one holding this script
#   PROBELAB_LOGS    folder of the log files                       <out>/logs
#   PROBELAB_ARGS    more options for every shard, e.g. --rerun-failed
# Partition, account, … : Slurm's own SBATCH_PARTITION, SBATCH_ACCOUNT, … variables.
set -euo pipefail
export PROBELAB_DIR PROBELAB_CONFIG PROBELAB_SHARDS PROBELAB_CPUS PROBELAB_MEM PROBELAB_TIME PROBELAB_OUT PROBELAB_LOGS PROBELAB_ARGS
PROBELAB_DIR=$(cd "${PROBELAB_DIR:-$(dirname "$0")/../..}" && pwd)
cd "$PROBELAB_DIR"
PROBELAB_CONFIG=${PROBELAB_CONFIG:-configs/smoke.json}
PROBELAB_SHARDS=${PROBELAB_SHARDS:-2}
PROBELAB_CPUS=${PROBELAB_CPUS:-2}
PROBELAB_MEM=${PROBELAB_MEM:-4G}
PROBELAB_TIME=${PROBELAB_TIME:-08:00:00}
PROBELAB_OUT=$(realpath -m "${PROBELAB_OUT:-outputs}")
PROBELAB_LOGS=$(realpath -m "${PROBELAB_LOGS:-$PROBELAB_OUT/logs}")
PROBELAB_ARGS=${PROBELAB_ARGS:-}
if ! [[ $PROBELAB_SHARDS =~ ^[1-9][0-9]*$ ]]; then
  echo "PROBELAB_SHARDS: expected a whole number ≥ 1, got \"$PROBELAB_SHARDS\"" >&2
  exit 2
fi

# Plan it here first: a bad config stops now (exit 2, its error printed) rather than in n tasks.
# The dry run also prints each shard's estimated cost.
node dist/src/cli.js "$PROBELAB_CONFIG" --shard "1/$PROBELAB_SHARDS" --out "$PROBELAB_OUT" --dry-run | sed -n '/^estimated cost/,/^$/p'

mkdir -p "$PROBELAB_LOGS"
array=$(sbatch --parsable --export=ALL --chdir="$PROBELAB_DIR" --array=1-"$PROBELAB_SHARDS" \
  --cpus-per-task="$PROBELAB_CPUS" --mem="$PROBELAB_MEM" --time="$PROBELAB_TIME" \
  --output="$PROBELAB_LOGS/slurm-shard-%A_%a.out" deploy/slurm/shards.sbatch)
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL,PROBELAB_ARRAY_JOB="$array" --chdir="$PROBELAB_DIR" \
  --dependency=afterany:"$array" --output="$PROBELAB_LOGS/slurm-merge-%j.out" deploy/slurm/merge.sbatch)
merge=${merge%%;*}
echo "shards: job array $array (tasks 1-$PROBELAB_SHARDS), logs in $PROBELAB_LOGS"
echo "merge: job $merge, after every task has ended"
