#!/usr/bin/env bash
# Runs share k of n of a sweep into its own run folder, resuming whatever an earlier attempt left:
# with PROBELAB_STAGE=s/S, task k of stage s (--stage s/S --shard k/n, n the task budget) into
# <out>/<name>-stage-s-of-S-shard-k-of-n, reading the jobs it needs from the earlier stages'
# folders beside it; without it, closed group k of n (--shard k/n) into <out>/<name>-shard-k-of-n.
# Used by every scaled-out deployment (Slurm, Kubernetes, GitHub Actions, cron).
# Usage: deploy/run-shard.sh <k> <n>; exits with the runner's code (0 all done, 1 some jobs
# failed, 2 bad config or missing inputs, 3 locked, 130 stopped by a signal: rerun to resume).
#
# Settings (environment variables; the defaults fit a small node):
#   PROBELAB_CONFIG   config file, relative to the checkout (or absolute)   configs/smoke.json
#   PROBELAB_STAGE    s/S: run task k of stage s (see above)                 unset: closed groups
#   PROBELAB_CPUS     worker threads                                        2
#   PROBELAB_OUT      folder of the run folders                             the config's defaults.outputDir
#   PROBELAB_NAME     the run's name (the config's), with PROBELAB_OUT: saves planning the folder   unset
#   PROBELAB_DIR      the checkout, built                                   the one holding this script
#   PROBELAB_LOGS     folder of the JSON logs                               <out>/logs
#   PROBELAB_ATTEMPT  names this attempt's log (job id, pod name, run attempt)   the date and PID
#   PROBELAB_ARGS     more options for the runner, e.g. --rerun-failed
set -euo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit 0
fi
if [ $# -ne 2 ]; then
  echo "usage: deploy/run-shard.sh <k> <n>   (share k of n, k from 1 to n; --help for the settings)" >&2
  exit 2
fi
k=$1
n=$2
cd "${PROBELAB_DIR:-$(dirname "$0")/..}"
config=${PROBELAB_CONFIG:-configs/smoke.json}
selection=(--shard "$k/$n")
name="shard-$k-of-$n"
if [ -n "${PROBELAB_STAGE:-}" ]; then
  selection=(--stage "$PROBELAB_STAGE" --shard "$k/$n")
  name="stage-${PROBELAB_STAGE/\//-of-}-shard-$k-of-$n"
fi
out=()
[ -n "${PROBELAB_OUT:-}" ] && out=(--out "$PROBELAB_OUT")
# The task's run folder as the runner names it: <out>/<name>-<share> when the submission has said
# both (submit.sh does), else from a dry run (which also checks the config and, for a stage, its
# inputs: exit 2 here, with the message). The run itself checks them again in any case.
if [ -n "${PROBELAB_OUT:-}" ] && [ -n "${PROBELAB_NAME:-}" ]; then
  folder=$PROBELAB_OUT/$PROBELAB_NAME-$name
else
  folder=$(node dist/src/cli.js "$config" "${selection[@]}" "${out[@]}" --dry-run | sed -n '1s/^.* → //p')
fi
logs=${PROBELAB_LOGS:-$(dirname "$folder")/logs}
log="$logs/$name.${PROBELAB_ATTEMPT:-$(date -u +%Y%m%dT%H%M%SZ)-$$}.jsonl"
mkdir -p "$logs"
echo "${PROBELAB_STAGE:+stage $PROBELAB_STAGE }task $k/$n of $config on $(hostname): $folder, log $log"
# One attempt per task runs at a time (the scheduler sees to it): a lock left by an earlier
# attempt, maybe on another node, is stale. The runner would take it over once untouched for
# 5 minutes; removing it saves the wait.
rm -f "$folder/lock"
# exec: the runner itself receives the scheduler's SIGTERM (it stops cleanly; a rerun resumes).
# shellcheck disable=SC2086 # PROBELAB_ARGS is a list of options
exec node dist/src/cli.js "$config" "${selection[@]}" --out "$(dirname "$folder")" --workers "${PROBELAB_CPUS:-2}" \
  --log json --log-file "$log" ${PROBELAB_ARGS:-}
