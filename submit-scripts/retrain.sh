#!/usr/bin/env bash
# Scheduled retraining into a model registry: warm start from the registry's LATEST version (random weights
# while it is empty), train on the current data, evaluate, publish a new version, and move LATEST to it only
# if it is no worse than the champion (accuracy and every class's F1 within output.promotion-tolerance).
# The decision and its figures go to the log and to the version's MANIFEST.json. One run at a time: a second
# run waits up to LOCK_WAIT seconds for the registry's lock, then exits with code 5.
#
#   submit-scripts/retrain.sh --registry DIR [--master URL] [submit options] [--config FILE] [more train options]
#
# --master decides where the job runs:
#   spark://HOST:PORT, yarn, k8s://...  submitted with submit.sh, which takes the submit options (--deploy-mode,
#                                       --executors, --executor-cores, --executor-memory, --driver-memory, --queue,
#                                       --spark-home, --master-ui, --jar, --k8s-image, --k8s-namespace, --conf,
#                                       --gpus-per-executor, --print-command); in cluster mode the driver, and with it the registry's
#                                       lock, promotion and retention, runs in the cluster
#   local[N] (the default, or $SPARK_MASTER_URL when set)
#                                       in a JVM here through run-local.sh, with no Spark installation
# DIR is any Hadoop path the driver can reach (hdfs://, or file:// on one machine). Environment: LOCK_WAIT
# (default 600), KEEP (versions kept, default 10), TOLERANCE (default 0.005). Exit codes as for train
# (docs/running.md), also in cluster mode; 0 also when the new version was not promoted (the log line
# "Promotion (if-no-worse): NOT promoted" says why).
# Examples for cron, a systemd timer and Airflow: submit-scripts/examples/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

registry=""
master=${SPARK_MASTER_URL:-}
submit_args=()
print=()
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --registry) [[ $# -ge 2 ]] || { echo "retrain.sh: --registry needs a location" >&2; exit 2; }
                registry=$2; shift 2 ;;
    --registry=*) registry=${1#--registry=}; shift ;;
    --master) [[ $# -ge 2 ]] || { echo "retrain.sh: --master needs a URL" >&2; exit 2; }
              master=$2; shift 2 ;;
    --master=*) master=${1#--master=}; shift ;;
    --deploy-mode|--executors|--executor-cores|--executor-memory|--driver-memory|--queue|--spark-home|--master-ui|\
    --jar|--k8s-image|--k8s-namespace|--conf|--gpus-per-executor)
      [[ $# -ge 2 ]] || { echo "retrain.sh: $1 needs a value" >&2; exit 2; }
      submit_args+=("$1" "$2"); shift 2 ;;
    --print-command) print=("$1"); shift ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ -n $registry ]] || { echo "retrain.sh: --registry DIR is required (where versions and LATEST live)" >&2; exit 2; }

registry_options=(--set "output.path=$registry" --set output.registry=true --set model.warm-start=true
  --set output.promote=if-no-worse --set "output.promotion-tolerance=${TOLERANCE:-0.005}"
  --set "output.lock-wait-seconds=${LOCK_WAIT:-600}" --set "output.keep-versions=${KEEP:-10}")

case "${master:-local[*]}" in
  local*)
    [[ ${#submit_args[@]} -eq 0 ]] || { echo "retrain.sh: ${submit_args[0]} needs a cluster --master (spark://, yarn or k8s://)" >&2; exit 2; }
    exec "$root/submit-scripts/run-local.sh" train --master "${master:-local[*]}" ${print[@]+"${print[@]}"} \
      ${args[@]+"${args[@]}"} "${registry_options[@]}" ;;
  *)
    exec "$root/submit-scripts/submit.sh" --master "$master" ${submit_args[@]+"${submit_args[@]}"} \
      ${print[@]+"${print[@]}"} -- train \
      ${args[@]+"${args[@]}"} "${registry_options[@]}" ;;
esac
