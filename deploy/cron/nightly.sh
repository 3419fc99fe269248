#!/usr/bin/env bash
# The nightly run for cron (see crontab in this folder) and systemd (probelab-nightly.service).
# Appends JSON log lines to a file; cron mails only when the exit code says something needs a
# look (1 failed jobs, 2 bad config, 3 locked).
#
# Settings (environment variables; the defaults fit a small machine):
#   PROBELAB_CONFIG  config file, relative to the checkout       configs/smoke.json
#   PROBELAB_CPUS    worker threads                             2
#   PROBELAB_OUT     folder of the run folders                  outputs
#   PROBELAB_DIR     the checkout, built                        /srv/probelab
#   PROBELAB_LOGS    folder of the log file                     logs (in the checkout)
#   PROBELAB_SHARDS, PROBELAB_SHARD  n machines each running share k of n (default 1: the whole
#                    sweep here); merge afterwards with deploy/merge-shards.sh n
# Memory: cron sets no limit; the systemd unit does (MemoryMax).
set -u
cd "${PROBELAB_DIR:-/srv/probelab}" || exit 2
config=${PROBELAB_CONFIG:-configs/smoke.json}
out=${PROBELAB_OUT:-outputs}
logs=${PROBELAB_LOGS:-logs}
shards=${PROBELAB_SHARDS:-1}
mkdir -p "$logs"
if [ "$shards" -gt 1 ]; then
  PROBELAB_LOGS=$logs PROBELAB_ATTEMPT="nightly-$(date -u +%Y%m%d)" deploy/run-shard.sh "${PROBELAB_SHARD:?set PROBELAB_SHARD=k (1..n) on each machine}" "$shards"
else
  node dist/src/cli.js "$config" --out "$out" --workers "${PROBELAB_CPUS:-2}" --log json --log-file "$logs/nightly.jsonl"
fi
code=$?
case $code in
  0) ;;
  1) echo "probelab nightly: some jobs failed; see summary.json in $out" ;;
  2) echo "probelab nightly: usage or config error; see $logs" ;;
  3) echo "probelab nightly: another run still holds its run folder in $out; skipped tonight" ;;
  *) echo "probelab nightly: stopped with exit code $code" ;;
esac
exit "$code"
