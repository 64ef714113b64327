#!/usr/bin/env bash
# Scheduled retraining into a model registry: warm start from the registry's LATEST version (random weights
# while it is empty), train on the current data, evaluate, publish a new version, and move LATEST to it only
# if it is no worse than the champion (accuracy and every class's F1 within output.promotion-tolerance).
# The decision and its figures go to the log and to the version's MANIFEST.json. One run at a time: a second
# run waits up to LOCK_WAIT seconds for the registry's lock, then exits with code 5.
#
#   submit-scripts/retrain.sh --registry DIR [--master URL] [--config FILE] [more train options]
#
# DIR is any Hadoop path (file://, hdfs://). Environment: LOCK_WAIT (default 600), KEEP (versions kept,
# default 10), TOLERANCE (default 0.005). Exit codes as for train (docs/running.md); 0 also when the new version was
# not promoted (the log line "Promotion (if-no-worse): NOT promoted" says why).
# Examples for cron, a systemd timer and Airflow: submit-scripts/examples/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

registry=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --registry) [[ $# -ge 2 ]] || { echo "retrain.sh: --registry needs a location" >&2; exit 2; }
                registry=$2; shift 2 ;;
    --registry=*) registry=${1#--registry=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ -n $registry ]] || { echo "retrain.sh: --registry DIR is required (where versions and LATEST live)" >&2; exit 2; }

exec "$root/submit-scripts/run-local.sh" train ${args[@]+"${args[@]}"} \
  --set "output.path=$registry" --set output.registry=true --set model.warm-start=true \
  --set output.promote=if-no-worse --set "output.promotion-tolerance=${TOLERANCE:-0.005}" \
  --set "output.lock-wait-seconds=${LOCK_WAIT:-600}" --set "output.keep-versions=${KEEP:-10}"
