#!/usr/bin/env bash
# `npm run test:system [-- jest options]`: the system test on a real single-node Slurm. It needs
# root (it starts munged, slurmctld and slurmd) and Debian's slurm-wlm and munge; without them it
# says it is skipped and why, and exits 0 without running jest. Any daemon still alive when it
# ends (a crashed jest) is stopped here by the PID the test recorded.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
  echo "Slurm system test skipped: it needs root to start munged, slurmctld and slurmd (run: sudo npm run test:system)"
  exit 0
fi
for tool in munged slurmctld slurmd sbatch scontrol scancel sinfo; do
  if ! command -v "$tool" >/dev/null; then
    echo "Slurm system test skipped: $tool is not installed (apt-get install -y slurm-wlm munge)"
    exit 0
  fi
done
PROBELAB_SLURM_DIR=$(mktemp -d /tmp/probelab-slurm-daemons.XXXXXX)
export PROBELAB_SLURM_DIR
stop_leftovers() {
  # Jobs still running on the private cluster (a test that failed or was stopped mid-way): cancel
  # them while slurmctld is up, so no task outlives the daemons.
  if [ -f "$PROBELAB_SLURM_DIR/slurm.conf" ] && SLURM_CONF=$PROBELAB_SLURM_DIR/slurm.conf squeue -h 2>/dev/null | grep -q .; then
    SLURM_CONF=$PROBELAB_SLURM_DIR/slurm.conf scancel --user "$(id -un)" && sleep 5
  fi
  [ -f "$PROBELAB_SLURM_DIR/pids" ] &&
    while read -r pid; do
      # Only a daemon of ours: the PID may be gone and reused by now.
      [[ $(cat "/proc/$pid/comm" 2>/dev/null) =~ ^(munged|slurmctld|slurmd)$ ]] &&
        kill "$pid" && echo "stopped leftover daemon $pid"
    done <"$PROBELAB_SLURM_DIR/pids"
  rm -rf "$PROBELAB_SLURM_DIR"
}
trap stop_leftovers EXIT
# Build unless dist is newer than every source file (CI has just built it in npm test).
if [ ! -f dist/src/cli.js ] || [ -n "$(find src workers -newer dist/src/cli.js -print -quit)" ]; then
  npm run build >/dev/null || exit 1
fi
npx jest -c jest.system.config.js "$@"
