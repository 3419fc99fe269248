#!/usr/bin/env bash
# Submits one sweep to Slurm and prints the job ids. Two modes:
#   stages (the default): the job graph in stages by dependency (trainings; their probes and
#     chunks; the summaries made from those), each stage one job array that starts when the one
#     before has ended (--dependency=afterany), its tasks sharing the stage by estimated cost and
#     reading what they need from the earlier stages' run folders. Needs one file system that
#     every node shares, for the checkout and the output folder.
#   shards: PROBELAB_SHARDS closed groups of linked jobs (a model with all its probes), one array,
#     no task waiting on another, each in its own folder: for nodes that share no file system
#     until the merge, or for many small independent models.
# Then a merge job after every task has ended: it names each task not complete (by stage) with the
# sbatch commands that rerun it, and exits 1. Run from anywhere: `deploy/slurm/submit.sh`.
#
# Settings (environment variables; the defaults fit a small node):
#   PROBELAB_CONFIG        config file, relative to the checkout (or absolute)     configs/smoke.json
#   PROBELAB_MODE          stages or shards                                         stages
#   PROBELAB_TASKS         stages: most tasks per stage (--stages N --dry-run shows the layout)   4
#   PROBELAB_SHARDS        shards: number of shards n                               2
#   PROBELAB_CPUS          CPUs per task (its worker threads)                       2
#   PROBELAB_MEM           memory per task (sbatch --mem)                           4G
#   PROBELAB_TIME          time limit per task (sbatch --time)                      08:00:00
#   PROBELAB_STOP_SECONDS  SIGTERM this long before the time limit: the task stops cleanly
#                          (exit 130) and a rerun resumes it                        300
#   PROBELAB_THROTTLE      most tasks of one array running at once (--array=…%N)   no limit
#   PROBELAB_SBATCH_ARGS   more sbatch options for every job, e.g. "--partition=gpu --constraint=avx2
#                          --exclude=node7 --mail-type=END --mail-user=me@lab.org"
#   PROBELAB_SETUP         shell run by every task before node, e.g. "module load nodejs/20"
#   PROBELAB_OUT           folder of the run folders (wins over the config's defaults.outputDir,
#                          which is read relative to the checkout)              defaults.outputDir
#   PROBELAB_DIR           the checkout, built (npm ci && npm run build)           the one holding this script
#   PROBELAB_LOGS          folder of the log files                                 <out>/logs
#   PROBELAB_ARGS          more options for every task's runner, e.g. --rerun-failed
# Partition, account, … : PROBELAB_SBATCH_ARGS, or Slurm's own SBATCH_PARTITION, SBATCH_ACCOUNT, …
set -euo pipefail
if [ $# -gt 0 ]; then
  if [ "$1" = --help ] || [ "$1" = -h ]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
  fi
  echo "submit.sh: it takes no arguments (its settings are environment variables), got \"$1\"; see submit.sh --help" >&2
  exit 2
fi
PROBELAB_DIR=$(cd "${PROBELAB_DIR:-$(dirname "$0")/../..}" && pwd)
export PROBELAB_DIR
cd "$PROBELAB_DIR"
# shellcheck source=settings.sh
source deploy/slurm/settings.sh
for name in PROBELAB_TASKS PROBELAB_SHARDS PROBELAB_CPUS PROBELAB_STOP_SECONDS; do
  if ! [[ ${!name} =~ ^[1-9][0-9]*$ ]]; then
    echo "$name: expected a whole number ≥ 1, got \"${!name}\"" >&2
    exit 2
  fi
done
if [ -n "$PROBELAB_THROTTLE" ] && ! [[ $PROBELAB_THROTTLE =~ ^[1-9][0-9]*$ ]]; then
  echo "PROBELAB_THROTTLE: expected a whole number ≥ 1, got \"$PROBELAB_THROTTLE\"" >&2
  exit 2
fi
out=()
[ -n "${PROBELAB_OUT:-}" ] && out=(--out "$(realpath -m "$PROBELAB_OUT")")
case $PROBELAB_MODE in
stages) selection=(--stages "$PROBELAB_TASKS") ;;
shards) selection=(--shard "1/$PROBELAB_SHARDS") ;;
*)
  echo "PROBELAB_MODE: expected stages or shards, got \"$PROBELAB_MODE\"" >&2
  exit 2
  ;;
esac

# Plan it here first: a bad config stops now (exit 2, its error printed) rather than in every
# task. The dry run prints the stages (or each shard's estimated cost).
dry=$(node dist/src/cli.js "$PROBELAB_CONFIG" "${selection[@]}" "${out[@]}" --dry-run)
printf '%s\n' "$dry" | sed -n '/^stages\|^estimated cost per shard/,/^$/p'
merged=$(printf '%s\n' "$dry" | sed -n '1s/^.* → //p')
PROBELAB_OUT=$(dirname "$merged")
PROBELAB_NAME=$(basename "$merged")
PROBELAB_LOGS=$(realpath -m "${PROBELAB_LOGS:-$PROBELAB_OUT/logs}")
export PROBELAB_OUT PROBELAB_NAME PROBELAB_LOGS
mkdir -p "$PROBELAB_LOGS"
mapfile -t options < <(task_options)
read -ra extra <<<"$PROBELAB_SBATCH_ARGS"
slurm=$PROBELAB_DIR/deploy/slurm

last=""
if [ "$PROBELAB_MODE" = stages ]; then
  # Tasks per stage, from the plan's stage layout.
  layout=$(deploy/stage-layout.sh)
  read -ra tasks <<<"$layout"
  count=${#tasks[@]}
  for s in $(seq 1 "$count"); do
    n=${tasks[$((s - 1))]}
    after=()
    [ -n "$last" ] && after=(--dependency=afterany:"$last")
    id=$(PROBELAB_STAGE="$s/$count" sbatch --parsable "${options[@]}" --job-name="probelab-stage-$s" \
      --array="$(array_range "$n")" "${after[@]}" "$slurm/shards.sbatch")
    last=${id%%;*}
    echo "stage $s/$count: job array $last (tasks 1-$n)${after:+, after the stage before has ended}"
  done
else
  id=$(sbatch --parsable "${options[@]}" --array="$(array_range "$PROBELAB_SHARDS")" "$slurm/shards.sbatch")
  last=${id%%;*}
  echo "shards: job array $last (tasks 1-$PROBELAB_SHARDS), logs in $PROBELAB_LOGS"
fi
merge=$(sbatch --parsable --export=ALL --chdir="$PROBELAB_DIR" --dependency=afterany:"$last" \
  --output="$PROBELAB_LOGS/slurm-merge-%j.out" "${extra[@]}" "$slurm/merge.sbatch")
echo "merge: job ${merge%%;*}, after every task has ended; logs in $PROBELAB_LOGS"
