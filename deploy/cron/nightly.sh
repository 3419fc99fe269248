#!/usr/bin/env bash
# The nightly run for cron (see crontab in this folder) and systemd (probelab-nightly.service).
# Appends JSON log lines to a file; cron mails only when the exit code says something needs a
# look (1 failed jobs or a watched metric moved, 2 bad config, 3 locked).
#
# Before the run, the run folder's published tables are kept as last night's
# (<out>/previous/<name>); after it, `run-experiments diff` compares tonight's tables with them,
# writes the comparison to <logs>/diff-<date>.txt and fails the night (exit code 1, the moved
# metrics printed for cron's mail) when a metric of PROBELAB_FAIL_ON moved more than its tolerance.
#
# Settings (environment variables; the defaults fit a small machine):
#   PROBELAB_CONFIG  config file, relative to the checkout       configs/smoke.json
#   PROBELAB_CPUS    worker threads                             2
#   PROBELAB_OUT     folder of the run folders                  outputs
#   PROBELAB_DIR     the checkout, built                        /srv/probelab
#   PROBELAB_LOGS    folder of the log file                     logs (in the checkout)
#   PROBELAB_FAIL_ON metrics watched against last night, separated by spaces, each
#                    [TABLE:]COLUMN>TOLERANCE (absolute, or relative with %)   test_accuracy>0.01
#                    (set it empty to compare without failing, e.g. for a config that trains nothing)
#   PROBELAB_SHARDS, PROBELAB_SHARD  n machines each running share k of n (default 1: the whole
#                    sweep here); merge afterwards with deploy/merge-shards.sh n
# Memory: cron sets no limit; the systemd unit does (MemoryMax).
set -u
cd "${PROBELAB_DIR:-/srv/probelab}" || exit 2
config=${PROBELAB_CONFIG:-configs/smoke.json}
out=${PROBELAB_OUT:-outputs}
logs=${PROBELAB_LOGS:-logs}
shards=${PROBELAB_SHARDS:-1}
fail_on=${PROBELAB_FAIL_ON-test_accuracy>0.01}
moved=0
mkdir -p "$logs"
if [ "$shards" -gt 1 ]; then
  # Each machine holds a share; compare the merged run folder after deploy/merge-shards.sh.
  PROBELAB_LOGS=$logs PROBELAB_ATTEMPT="nightly-$(date -u +%Y%m%d)" deploy/run-shard.sh "${PROBELAB_SHARD:?set PROBELAB_SHARD=k (1..n) on each machine}" "$shards"
  code=$?
else
  # The run folder as the runner names it (the dry run also checks the config: exit code 2 here).
  folder=$(node dist/src/cli.js "$config" --out "$out" --dry-run | sed -n '1s/^.* → //p')
  [ -n "$folder" ] || exit 2
  previous="$out/previous/$(basename "$folder")"
  if [ -f "$folder/plan.json" ]; then
    rm -rf "$previous" && mkdir -p "$previous" && cp "$folder/plan.json" "$previous/" &&
      { [ ! -d "$folder/tables" ] || cp -R "$folder/tables" "$previous/"; }
  fi
  node dist/src/cli.js "$config" --out "$out" --workers "${PROBELAB_CPUS:-2}" --log json --log-file "$logs/nightly.jsonl"
  code=$?
  if [ -f "$previous/plan.json" ] && [ "$code" -le 1 ]; then
    watch=()
    for metric in $fail_on; do watch+=(--fail-on "$metric"); done
    report="$logs/diff-$(date -u +%Y%m%d).txt"
    node dist/src/cli.js diff "$previous" "$folder" "${watch[@]}" > "$report" 2>&1
    case $? in
      0) ;;
      1) echo "probelab nightly: a watched metric moved since last night (all of it in $report):"
         sed -n '/^watched metrics/,$p' "$report"
         moved=1 ;;
      *) echo "probelab nightly: could not compare with last night:"; cat "$report" ;;
    esac
  fi
fi
case $code in
  0) ;;
  1) echo "probelab nightly: some jobs failed; see summary.json in $out" ;;
  2) echo "probelab nightly: usage or config error; see $logs" ;;
  3) echo "probelab nightly: another run still holds its run folder in $out; skipped tonight" ;;
  *) echo "probelab nightly: stopped with exit code $code" ;;
esac
# A metric that moved fails a night whose jobs all finished.
[ "$moved" -eq 0 ] || [ "$code" -ne 0 ] || code=1
exit "$code"
