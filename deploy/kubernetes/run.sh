#!/usr/bin/env bash
# Runs the sharded sweep on Kubernetes, then the merge: Jobs have no dependencies of their own,
# so this script waits for the Indexed Job to complete before it starts the merge Job.
set -euo pipefail
cd "$(dirname "$0")"
kubectl delete job probelab-shards probelab-merge --ignore-not-found
kubectl apply -f shards.yaml
kubectl wait --for=condition=complete job/probelab-shards --timeout=24h
kubectl apply -f merge.yaml
kubectl wait --for=condition=complete job/probelab-merge --timeout=1h
kubectl logs job/probelab-merge
