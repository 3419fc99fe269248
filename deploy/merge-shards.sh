#!/usr/bin/env bash
# Merges the n shards of a sweep into <out>/<name> (tables, figures, summary, report). Exits 1
# while any shard is missing, interrupted, failed or incomplete, naming each with the command
# that reruns it; run it again after the reruns (merging into the same folder adds what is new).
# Usage: deploy/merge-shards.sh <n>. Settings: PROBELAB_CONFIG, PROBELAB_OUT, PROBELAB_DIR as in
# run-shard.sh.
set -uo pipefail
if [ $# -ne 1 ]; then
  echo "usage: deploy/merge-shards.sh <n>   (the number of shards)" >&2
  exit 2
fi
n=$1
cd "${PROBELAB_DIR:-$(dirname "$0")/..}" || exit 2
config=${PROBELAB_CONFIG:-configs/smoke.json}
out=${PROBELAB_OUT:-outputs}
merged=$(node dist/src/cli.js "$config" --out "$out" --dry-run | sed -n '1s/^.* → //p') || exit 2
folders=()
for k in $(seq 1 "$n"); do folders+=("$merged-shard-$k-of-$n"); done
exec node dist/src/cli.js merge "${folders[@]}" --out "$merged"
