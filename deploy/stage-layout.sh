#!/usr/bin/env bash
# Prints how many tasks each stage of a sweep gets, on one line (e.g. "4 4 1" for 3 stages), from
# the planner's stage layout (run-experiments <config> --stages N --dry-run). Used by
# slurm/submit.sh and the Kubernetes plan Job. Exit code 2, with the reason, on a bad config.
# Settings: PROBELAB_CONFIG, PROBELAB_TASKS (most tasks per stage, default 4), PROBELAB_OUT,
# PROBELAB_DIR as in run-shard.sh.
set -euo pipefail
if [ $# -gt 0 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  [ "$1" = --help ] || [ "$1" = -h ]
  exit $?
fi
cd "${PROBELAB_DIR:-$(dirname "$0")/..}"
out=()
[ -n "${PROBELAB_OUT:-}" ] && out=(--out "$PROBELAB_OUT")
json=$(mktemp)
trap 'rm -f "$json"' EXIT
code=0
node dist/src/cli.js "${PROBELAB_CONFIG:-configs/smoke.json}" --stages "${PROBELAB_TASKS:-4}" "${out[@]}" \
  --dry-run --log json --log-file "$json" || code=$?
node -e '
  for (const line of require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean)) {
    const event = JSON.parse(line);
    if (event.stages) console.log(event.stages.map((s) => s.tasks).join(" "));
    else if (event.error) console.error(event.error);
  }' "$json"
exit "$code"
