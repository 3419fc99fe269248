#!/usr/bin/env bash
# The nightly run for cron (see crontab in this folder). Appends JSON log lines to a file; cron
# mails only when the exit code says something needs a look (1 failed jobs, 2 bad config, 3 locked).
set -u
cd "${PROBELAB_DIR:-/srv/probelab}"
mkdir -p logs
node dist/src/cli.js configs/all.json --log json --log-file logs/nightly.jsonl
code=$?
case $code in
  0) ;;
  1) echo "probelab nightly: some jobs failed; see outputs/all/summary.json" ;;
  2) echo "probelab nightly: usage or config error; see logs/nightly.jsonl" ;;
  3) echo "probelab nightly: another run still holds outputs/all; skipped tonight" ;;
  *) echo "probelab nightly: stopped with exit code $code" ;;
esac
exit "$code"
