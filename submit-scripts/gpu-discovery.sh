#!/usr/bin/env bash
# Spark's GPU resource discovery script: prints the GPUs that this host's NVIDIA driver lists, as the JSON
# Spark expects (one resource named "gpu", its addresses the GPU indices), e.g.
#
#   {"name": "gpu", "addresses": ["0","1"]}
#
# Spark runs it when an executor (or a standalone worker, or the driver) starts and schedules tasks onto
# those addresses; a task reads its own from TaskContext.resources(). Like Spark's example script, it
# assumes the process sees only the GPUs meant for it (a YARN or Kubernetes container with GPU isolation,
# or one worker per host on a standalone cluster). Pass it with the job's jar (see docs/cluster.md, "GPU (CUDA)"):
#
#   --files submit-scripts/gpu-discovery.sh
#   --conf spark.executor.resource.gpu.discoveryScript=./gpu-discovery.sh
#
# Without nvidia-smi, when it fails, or when it lists no GPU, it says so on stderr and exits 1, so the
# executor fails with that message instead of waiting for GPUs that do not exist.
set -euo pipefail

me=gpu-discovery.sh
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "$me: nvidia-smi not found on PATH ($PATH): this host has no NVIDIA driver utilities;" \
       "install the driver or run without spark.executor.resource.gpu.amount" >&2
  exit 1
fi

status=0
indices=$(nvidia-smi --query-gpu=index --format=csv,noheader) || status=$?
if [[ $status -ne 0 ]]; then
  echo "$me: 'nvidia-smi --query-gpu=index --format=csv,noheader' failed with exit code $status" >&2
  exit 1
fi

addresses=()
while IFS= read -r line; do
  index=${line//[[:space:]]/}
  [[ -z $index ]] && continue
  if [[ ! $index =~ ^[0-9]+$ ]]; then
    echo "$me: nvidia-smi printed '$line' where a GPU index was expected" >&2
    exit 1
  fi
  addresses+=("\"$index\"")
done <<< "$indices"

if [[ ${#addresses[@]} -eq 0 ]]; then
  echo "$me: nvidia-smi lists no GPU on this host" >&2
  exit 1
fi

(IFS=,; echo "{\"name\": \"gpu\", \"addresses\": [${addresses[*]}]}")
