#!/usr/bin/env bash
# Runs a sharded sweep on Kubernetes, then the merge: Jobs have no dependencies of their own, so
# this script waits until the Indexed Job has ended (complete, or failed after its retries) and
# only then starts the merge Job, whose log it prints. Exits with the merge's result.
#
# Settings (environment variables; the defaults fit a small node):
#   PROBELAB_CONFIG       config file, relative to the checkout in the image   configs/smoke.json
#   PROBELAB_SHARDS       number of shards n (pods)                            2
#   PROBELAB_CPUS         CPUs per shard pod (its worker threads)              2
#   PROBELAB_MEM          memory per shard pod                                 4Gi
#   PROBELAB_OUT          folder of the run folders, on the shared volume      /data/outputs
#   PROBELAB_DIR          the checkout inside the image                        /app
#   PROBELAB_IMAGE        the image (project built, configs included)          ghcr.io/example/probelab:latest
#   PROBELAB_VOLUME_SIZE  size of the shared volume                            20Gi
#   PROBELAB_ARGS         more runner options for every shard, e.g. --rerun-failed
#   PROBELAB_WAIT_HOURS   how long to wait for the shards                      24
# Rerun one shard: the Job replaces failed pods by itself (backoffLimit); after it gave up, run
# this script again: every shard resumes in its folder, finished shards return at once.
set -euo pipefail
cd "$(dirname "$0")"
export PROBELAB_CONFIG=${PROBELAB_CONFIG:-configs/smoke.json}
export PROBELAB_SHARDS=${PROBELAB_SHARDS:-2}
export PROBELAB_CPUS=${PROBELAB_CPUS:-2}
export PROBELAB_MEM=${PROBELAB_MEM:-4Gi}
export PROBELAB_OUT=${PROBELAB_OUT:-/data/outputs}
export PROBELAB_DIR=${PROBELAB_DIR:-/app}
export PROBELAB_IMAGE=${PROBELAB_IMAGE:-ghcr.io/example/probelab:latest}
export PROBELAB_VOLUME_SIZE=${PROBELAB_VOLUME_SIZE:-20Gi}
export PROBELAB_ARGS=${PROBELAB_ARGS:-}
hours=${PROBELAB_WAIT_HOURS:-24}
settings=(PROBELAB_CONFIG PROBELAB_SHARDS PROBELAB_CPUS PROBELAB_MEM PROBELAB_OUT PROBELAB_DIR PROBELAB_IMAGE PROBELAB_VOLUME_SIZE PROBELAB_ARGS)

# A manifest with each ${PROBELAB_…} replaced by its setting (other $ signs left as they are).
render() {
  local text
  text=$(<"$1")
  for name in "${settings[@]}"; do text=${text//"\${$name}"/"${!name}"}; done
  printf '%s\n' "$text"
}

# Waits until a Job has ended, complete or failed (a merge must run either way, to name what is
# missing); prints its condition.
wait_for_end() {
  local end=$((SECONDS + $2)) conditions
  until conditions=$(kubectl get job "$1" -o jsonpath='{.status.conditions[?(@.status=="True")].type}') &&
    [[ $conditions == *Complete* || $conditions == *Failed* ]]; do
    if [ "$SECONDS" -gt "$end" ]; then
      echo "job $1 did not end within $2 s" >&2
      return 1
    fi
    sleep "${PROBELAB_POLL_SECONDS:-10}"
  done
  echo "$1: $conditions"
}

kubectl delete job probelab-shards probelab-merge --ignore-not-found
render shards.yaml | kubectl apply -f -
wait_for_end probelab-shards $((hours * 3600))
render merge.yaml | kubectl apply -f -
ended=$(wait_for_end probelab-merge 3600)
kubectl logs job/probelab-merge
echo "$ended"
[[ $ended == *Complete* ]]
