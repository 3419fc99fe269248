#!/usr/bin/env bash
# Merges the tasks of a sweep into <out>/<name> (tables, figures, summary, report). Exits 1 while
# any task is missing, interrupted, failed or incomplete, naming each (by stage, when staged)
# with the command that reruns it; run it again after the reruns (merging into the same folder
# adds what is new).
# Usage: deploy/merge-shards.sh [n]. Staged (stage folders present, no n given): every
# stage folder of the config; merge names the tasks that left none. Closed groups: the n shard
# folders; without n, the count of the shard folders present (when they agree).
# Settings: PROBELAB_CONFIG, PROBELAB_OUT, PROBELAB_DIR as in run-shard.sh.
set -uo pipefail
if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
  sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit 0
fi
if [ $# -gt 1 ]; then
  echo "usage: deploy/merge-shards.sh [n]   (the number of shards; --help for more)" >&2
  exit 2
fi
cd "${PROBELAB_DIR:-$(dirname "$0")/..}" || exit 2
config=${PROBELAB_CONFIG:-configs/smoke.json}
out=()
[ -n "${PROBELAB_OUT:-}" ] && out=(--out "$PROBELAB_OUT")
merged=$(node dist/src/cli.js "$config" "${out[@]}" --dry-run | sed -n '1s/^.* → //p') || exit 2
stages=()
for folder in "$merged"-stage-*-of-*-shard-*-of-*; do [ -d "$folder" ] && stages+=("$folder"); done
if [ ${#stages[@]} -gt 0 ] && [ -z "${1:-}" ]; then
  exec node dist/src/cli.js merge "${stages[@]}" --out "$(dirname "$merged")"
fi
n=${1:-}
if [ -z "$n" ]; then
  counts=$(for folder in "$merged"-shard-*-of-*; do [ -d "$folder" ] && echo "${folder##*-of-}"; done | sort -u)
  if [ "$(printf '%s' "$counts" | grep -c .)" -ne 1 ]; then
    listed=${counts//$'\n'/, }
    echo "merge-shards.sh: give the number of shards: the shard folders of $merged have counts: ${listed:-none}" >&2
    exit 2
  fi
  n=$counts
fi
folders=()
for k in $(seq 1 "$n"); do folders+=("$merged-shard-$k-of-$n"); done
exec node dist/src/cli.js merge "${folders[@]}" --out "$(dirname "$merged")"
