#!/usr/bin/env bash
# Runs a sweep on Kubernetes in stages, then the merge. Jobs have no dependencies of their own, so
# this script applies one Job at a time and waits for it to end: a plan Job (the task count of
# every stage), one Indexed Job per stage (its pods share the stage by cost, reading the earlier
# stages' folders on the shared volume), then the merge Job, whose log it prints. Exits with the
# merge's result. Needs kubectl, and Node 20 with this checkout's `npm ci` here (the manifests are
# built by deploy/kubernetes/manifests.js); the pods run the image (see the Dockerfile).
#
# Settings (environment variables; the defaults fit a small node):
#   PROBELAB_CONFIG          config file, relative to the checkout in the image    configs/smoke.json
#   PROBELAB_TASKS           most tasks (pods) per stage                            4
#   PROBELAB_CPUS            CPUs per pod (its worker threads)                      2
#   PROBELAB_MEM             memory per pod                                         4Gi
#   PROBELAB_OUT             folder of the run folders, under /data (the volume)    /data/outputs
#   PROBELAB_DIR             the checkout inside the image                          /app
#   PROBELAB_IMAGE           the image: docker build -t <registry>/probelab:<tag> . and push it
#                                                                                   probelab:latest
#   PROBELAB_VOLUME_SIZE     size of the shared volume                              20Gi
#   PROBELAB_STORAGE_CLASS   storage class of the volume; it must offer ReadWriteMany    the cluster's default
#   PROBELAB_RETRIES         retries of one task (backoffLimitPerIndex)             2
#   PROBELAB_ARGS            more runner options for every task, e.g. --rerun-failed
#   PROBELAB_CLAIM_SECONDS   how long the volume may stay Pending                   300
#   PROBELAB_WAIT_HOURS      how long to wait for one stage                         24
# Rerun: this script again. Every task resumes in its folder; finished tasks end within seconds.
set -euo pipefail
if [ $# -gt 0 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  [ "$1" = --help ] || [ "$1" = -h ]
  exit $?
fi
cd "$(dirname "$0")/../.."
hours=${PROBELAB_WAIT_HOURS:-24}
claim_seconds=${PROBELAB_CLAIM_SECONDS:-300}
manifest() { node deploy/kubernetes/manifests.js "$@"; }
# Checked before anything is applied: a bad setting exits 2 here.
manifest claim >/dev/null

# Waits until a Job has ended, complete or failed (a merge must run either way, to name what is
# missing); prints its condition. A volume still Pending after claim_seconds stops it: no pod can start.
wait_for_end() {
  local end=$((SECONDS + $2)) conditions phase
  until conditions=$(kubectl get job "$1" -o jsonpath='{.status.conditions[?(@.status=="True")].type}') &&
    [[ $conditions == *Complete* || $conditions == *Failed* ]]; do
    if [ "$SECONDS" -gt "$end" ]; then
      echo "job $1 did not end within $2 s" >&2
      return 1
    fi
    phase=$(kubectl get pvc probelab-outputs -o jsonpath='{.status.phase}')
    if [ "$phase" != Bound ] && [ "$SECONDS" -gt "$claim_seconds" ]; then
      echo "the volume claim probelab-outputs is still ${phase:-not there} after $claim_seconds s, so no pod of $1 can start:" >&2
      echo "  its storage class (${PROBELAB_STORAGE_CLASS:-the default one}) may not offer ReadWriteMany volumes;" >&2
      echo "  see kubectl describe pvc probelab-outputs, and set PROBELAB_STORAGE_CLASS to one that does (NFS, CephFS, EFS, Filestore…)" >&2
      return 1
    fi
    sleep "${PROBELAB_POLL_SECONDS:-10}"
  done
  echo "$1: $conditions"
}

kubectl delete job -l app.kubernetes.io/part-of=probelab --ignore-not-found
manifest claim | kubectl apply -f -
manifest plan | kubectl apply -f -
wait_for_end probelab-plan 3600 >/dev/null
read -ra tasks <<<"$(kubectl logs job/probelab-plan | tail -n 1)"
if ! [[ ${tasks[*]:-} =~ ^[0-9\ ]+$ ]]; then
  echo "the plan Job printed no stage layout; its log:" >&2
  kubectl logs job/probelab-plan >&2
  exit 2
fi
count=${#tasks[@]}
for s in $(seq 1 "$count"); do
  manifest stage "$s/$count" "${tasks[$((s - 1))]}" | kubectl apply -f -
  # Like Slurm's afterany: the next stage starts whatever this one did; a task whose inputs are
  # missing stops at once, naming them, and the merge names every task not complete.
  wait_for_end "probelab-stage-$s" $((hours * 3600))
done
manifest merge | kubectl apply -f -
ended=$(wait_for_end probelab-merge 3600)
kubectl logs job/probelab-merge
echo "$ended"
[[ $ended == *Complete* ]]
