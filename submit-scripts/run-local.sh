#!/usr/bin/env bash
# Runs the job on this machine with no Spark installation: fetches MNIST if missing, compiles the job,
# then trains on local[*] (or --master), evaluates on the test set and saves the model.
#
#   submit-scripts/run-local.sh [train|show-config|to-csv|augment|break-lock|resources|preflight|predict|report|bench|plan|convert|score] [--master local[2]] [--print-command] [options...]
#
# The command defaults to train; to-csv writes MNIST's training set as a Kaggle-style CSV (see --help).
# Train options (see --help): --config FILE (default conf/job.conf), --set key=value, --preset NAME,
# --epochs N, --output DIR, --overwrite. Environment: DRIVER_MEMORY (default 6g), JAVA (default java),
# JOB_CLASSPATH (the job's class path, already built: skips fetching MNIST and compiling; the journey tests set it).
# It runs from the repository root, so relative paths in options are taken from there.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"

java_props=()
job_args=()
print_only=false
has_config=false
command=train
case "${1:-}" in
  train|show-config|to-csv|augment|break-lock|resources|preflight|predict|report|bench|plan|convert|score) command=$1; shift ;;
esac
while [[ $# -gt 0 ]]; do
  case "$1" in
    --master) [[ $# -ge 2 ]] || { echo "run-local.sh: --master needs a value, e.g. local[2]" >&2; exit 2; }
              java_props+=("-Dspark.master=$2"); shift 2 ;;
    --master=*) java_props+=("-Dspark.master=${1#--master=}"); shift ;;
    --print-command) print_only=true; shift ;;
    -c|--config|--config=*) has_config=true; job_args+=("$1"); shift ;;
    *) job_args+=("$1"); shift ;;
  esac
done
$has_config || [[ $command == to-csv || $command == report ]] || job_args=(--config conf/job.conf ${job_args[@]+"${job_args[@]}"})

# Native settings that must be in the environment before ND4J loads (STACK.md, "Speed").
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$(openblas_coretype)}"
[[ -n $OPENBLAS_CORETYPE ]] || unset OPENBLAS_CORETYPE
export_malloc_settings
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

job_command() {  # $1: class path
  cmd=("${JAVA:-java}" -Xmx"${DRIVER_MEMORY:-6g}" @conf/jvm-module.options
    -Dorg.eclipse.deeplearning4j.helpers.disable=false
    -Dlog4j2.configurationFile=conf/log4j2.xml
    ${java_props[@]+"${java_props[@]}"}
    -cp "$1" io.sparkcnn.cli.Main "$command" ${job_args[@]+"${job_args[@]}"})
}

if $print_only; then
  job_command 'spark-job/target/classes:<dependencies>'
  printf 'OMP_NUM_THREADS=%s OPENBLAS_CORETYPE=%s MALLOC_MMAP_THRESHOLD_=%s MALLOC_TRIM_THRESHOLD_=%s MALLOC_TOP_PAD_=%s ' \
    "$OMP_NUM_THREADS" "${OPENBLAS_CORETYPE:-}" "$MALLOC_MMAP_THRESHOLD_" "$MALLOC_TRIM_THRESHOLD_" "$MALLOC_TOP_PAD_"
  printf '%q ' "${cmd[@]}"; echo
  exit 0
fi

if [[ -z ${JOB_CLASSPATH:-} ]]; then
  datasets/fetch.sh mnist >&2
  echo "run-local: compiling the job (mvn)..." >&2
  maven -q -B -f spark-job/pom.xml -DskipTests compile dependency:build-classpath \
    -Dmdep.includeScope=compile -Dmdep.outputFile=target/classpath.txt >&2
  JOB_CLASSPATH="spark-job/target/classes:$(cat spark-job/target/classpath.txt)"
fi
job_command "$JOB_CLASSPATH"
exec "${cmd[@]}"
