#!/usr/bin/env bash
# Runs share k of n of a sweep (--shard k/n) into <out>/<name>-shard-k-of-n, resuming whatever an
# earlier attempt left. Used by every scaled-out deployment (Slurm, Kubernetes, GitHub Actions,
# cron). Usage: deploy/run-shard.sh <k> <n>; exits with the runner's code (0 all done, 1 some jobs
# failed, 2 bad config, 3 locked, 130 stopped by a signal).
#
# Settings (environment variables; the defaults fit a small node):
#   PROBELAB_CONFIG   config file, relative to the checkout   configs/smoke.json
#   PROBELAB_CPUS     worker threads                         2
#   PROBELAB_OUT      folder of the run folders              outputs
#   PROBELAB_DIR      the checkout, built                    the one holding this script
#   PROBELAB_LOGS     folder of the JSON logs                <out>/logs
#   PROBELAB_ATTEMPT  names this attempt's log (job id, pod name, run attempt)   the date and PID
#   PROBELAB_ARGS     more options for the runner, e.g. --rerun-failed
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: deploy/run-shard.sh <k> <n>   (share k of n, k from 1 to n)" >&2
  exit 2
fi
k=$1
n=$2
cd "${PROBELAB_DIR:-$(dirname "$0")/..}"
config=${PROBELAB_CONFIG:-configs/smoke.json}
out=${PROBELAB_OUT:-outputs}
logs=${PROBELAB_LOGS:-$out/logs}
log="$logs/shard-$k-of-$n.${PROBELAB_ATTEMPT:-$(date -u +%Y%m%dT%H%M%SZ)-$$}.jsonl"
mkdir -p "$logs"
# The shard's run folder as the runner names it (the dry run also checks the config: exit 2 here).
folder=$(node dist/src/cli.js "$config" --shard "$k/$n" --out "$out" --dry-run | sed -n '1s/^.* → //p')
echo "shard $k/$n of $config on $(hostname): $folder, log $log"
# One attempt per shard runs at a time (the scheduler sees to it): a lock left by an earlier
# attempt, maybe on another node, is stale. The runner would take it over once untouched for
# 5 minutes; removing it saves the wait.
rm -f "$folder/lock"
# exec: the runner itself receives the scheduler's SIGTERM (it stops cleanly; a rerun resumes).
# shellcheck disable=SC2086 # PROBELAB_ARGS is a list of options
exec node dist/src/cli.js "$config" --shard "$k/$n" --out "$out" --workers "${PROBELAB_CPUS:-2}" \
  --log json --log-file "$log" ${PROBELAB_ARGS:-}
