#!/bin/sh
# Copies the shards' results and records files out of the shared volume and merges them into one result and report.
set -eu
kubectl run llmbench-collect --image=busybox --restart=Never --overrides='{"spec":{"volumes":[{"name":"r","persistentVolumeClaim":{"claimName":"llmbench-results"}}],"containers":[{"name":"c","image":"busybox","command":["sleep","600"],"volumeMounts":[{"name":"r","mountPath":"/results"}]}]}}'
kubectl wait --for=condition=ready pod/llmbench-collect
mkdir -p shards
for i in 0 1 2 3; do
  kubectl cp "llmbench-collect:/results/shard-$i.json" "shards/shard-$i.json"
  # Every record of the shard: merge reads these when a result kept only a sample (over 100,000 a level).
  kubectl cp "llmbench-collect:/results/shard-$i.records.jsonl" "shards/shard-$i.records.jsonl"
done
kubectl delete pod llmbench-collect --wait=false
npx llmbench merge shards/shard-*.json --output merged.json --html report
