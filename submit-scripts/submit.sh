#!/usr/bin/env bash
# Submits the job with spark-submit to a standalone master, YARN or Kubernetes (or local[N]), passing what
# matters on a cluster: the shaded job jar; executors, cores and memory; ND4J's off-heap limits and the
# executor memory overhead derived from the model and batch size (`Main resources`); OpenMP threads and the
# OpenBLAS core type on executors; Kryo with the job's registrator (ND4J arrays copied in bulk); Java 17
# module options for the driver; and the job config, shipped with the application in cluster mode.
#
#   submit-scripts/submit.sh [options] [--] [train|preflight|...] [job options]
#
#   --master URL            spark://HOST:7077 | yarn | k8s://https://HOST:443 | local[N]
#                           (default: $SPARK_MASTER_URL, else local[*])
#   --deploy-mode MODE      client (default) or cluster
#   --executors N           executors to request (default 2)
#   --executor-cores C      cores per executor = training workers per executor (default 1)
#   --executor-memory M     heap per executor (default 2g); off-heap comes on top as memory overhead
#   --driver-memory M       (default 2g)
#   --gpus-per-executor G   request G GPUs per executor through Spark's resource scheduling, found by
#                           submit-scripts/gpu-discovery.sh (needs the -Pcuda build of the jar)
#   --config FILE           job config (default conf/job.conf); also taken from the job options after --
#   --jar FILE              job jar (default spark-job/target/spark-job-*-shaded.jar, built if missing)
#   --spark-home DIR        Spark installation (default $SPARK_HOME); bin/spark-submit is used
#   --master-ui URL         standalone master web UI, read for the driver's final state in cluster mode
#                           (default $SPARK_MASTER_UI, else http://MASTER-HOST:8080)
#   --queue Q               YARN queue
#   --k8s-image IMAGE       container image for the driver and executors on Kubernetes
#   --k8s-namespace NS      Kubernetes namespace (default default)
#   --conf KEY=VALUE        any further Spark setting (repeatable; wins over the derived ones)
#   --print-command         print the final spark-submit command instead of running it (in cluster mode on YARN
#                           and Kubernetes it names target/submit/jobconf.zip, the job config's bundle)
#
# The job's options follow (default command: train), e.g. `-- --preset seed-cnn --epochs 12 -o hdfs://nn/m`.
# YARN needs HADOOP_CONF_DIR (or YARN_CONF_DIR): the cluster's client configuration.
# Exit code: the job's (docs/running.md) when the driver runs here (client mode). In cluster mode, the
# driver's final state decides: on YARN, 0 if the application's final status is SUCCEEDED, the job's own exit
# code if it failed with one ("User application exited with status N"), else 1; on a standalone master, where
# spark-submit exits 0 even when the driver failed, 0 only if the driver ended FINISHED (1 if it ended FAILED,
# ERROR or KILLED). The application id and final status are printed last.
set -euo pipefail
source "$(dirname "$0")/common.sh"

master=${SPARK_MASTER_URL:-}
deploy_mode=client
executors=2
executor_cores=1
executor_memory=2g
driver_memory=2g
gpus=0
config=$repo_root/conf/job.conf
jar=
spark_home=${SPARK_HOME:-}
master_ui=${SPARK_MASTER_UI:-}
queue=
k8s_image=
k8s_namespace=default
user_conf=()
print_only=false
job_args=()

need() { [[ $# -ge 2 && -n $2 ]] || { echo "submit.sh: $1 needs a value" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --master) need "$@"; master=$2; shift 2 ;;
    --deploy-mode) need "$@"; deploy_mode=$2; shift 2 ;;
    --executors) need "$@"; executors=$2; shift 2 ;;
    --executor-cores) need "$@"; executor_cores=$2; shift 2 ;;
    --executor-memory) need "$@"; executor_memory=$2; shift 2 ;;
    --driver-memory) need "$@"; driver_memory=$2; shift 2 ;;
    --gpus-per-executor) need "$@"; gpus=$2; shift 2 ;;
    --config) need "$@"; config=$2; shift 2 ;;
    --jar) need "$@"; jar=$2; shift 2 ;;
    --spark-home) need "$@"; spark_home=$2; shift 2 ;;
    --master-ui) need "$@"; master_ui=$2; shift 2 ;;
    --queue) need "$@"; queue=$2; shift 2 ;;
    --k8s-image) need "$@"; k8s_image=$2; shift 2 ;;
    --k8s-namespace) need "$@"; k8s_namespace=$2; shift 2 ;;
    --conf) need "$@"; user_conf+=(--conf "$2"); shift 2 ;;
    --print-command) print_only=true; shift ;;
    --) shift; job_args+=("$@"); break ;;
    *) job_args+=("$@"); break ;;
  esac
done

master=${master:-local[*]}
case "$master" in
  spark://*) target=standalone ;;
  yarn) target=yarn ;;
  k8s://*) target=k8s ;;
  local*) target=local ;;
  *) echo "submit.sh: --master must be spark://..., yarn, k8s://... or local[N], got '$master'" >&2; exit 2 ;;
esac
[[ $deploy_mode == client || $deploy_mode == cluster ]] || { echo "submit.sh: --deploy-mode must be client or cluster, got '$deploy_mode'" >&2; exit 2; }
[[ $target != local || $deploy_mode == client ]] || { echo "submit.sh: local masters have no cluster deploy mode" >&2; exit 2; }
[[ $target != k8s || -n $k8s_image || $print_only == true ]] || { echo "submit.sh: Kubernetes needs --k8s-image" >&2; exit 2; }
if [[ $target == k8s && $deploy_mode == cluster ]] && ! printf '%s\n' ${user_conf[@]+"${user_conf[@]}"} \
     | grep -q '^spark.kubernetes.file.upload.path='; then
  echo "submit.sh: Kubernetes cluster mode uploads the job config through spark.kubernetes.file.upload.path:" \
    "add --conf spark.kubernetes.file.upload.path=URI (a Hadoop path the cluster can read, e.g. s3a://bucket/spark-upload)" >&2
  exit 2
fi
[[ $target != yarn || -n ${HADOOP_CONF_DIR:-}${YARN_CONF_DIR:-} || $print_only == true ]] || {
  echo "submit.sh: YARN needs HADOOP_CONF_DIR (or YARN_CONF_DIR): the directory of the cluster's yarn-site.xml" >&2; exit 2; }
# A --config among the job's options (as run-local.sh takes it) is the job config too: the job gets exactly one.
rest=()
for ((i = 0; i < ${#job_args[@]}; i++)); do
  case "${job_args[i]}" in
    --config|-c) [[ $((i + 1)) -lt ${#job_args[@]} ]] || { echo "submit.sh: ${job_args[i]} needs a file" >&2; exit 2; }
      config=${job_args[i + 1]}; i=$((i + 1)) ;;
    --config=*) config=${job_args[i]#--config=} ;;
    *) rest+=("${job_args[i]}") ;;
  esac
done
job_args=(${rest[@]+"${rest[@]}"})
[[ -f $config ]] || { echo "submit.sh: config file not found: $config" >&2; exit 2; }
config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")

command=train
case "${job_args[0]:-}" in
  -*|"") ;;
  *) command=${job_args[0]}; job_args=("${job_args[@]:1}") ;;
esac

# The job jar: the CPU jar, or with GPUs the CUDA one (mvn -Pcuda), built if missing; or the one --jar names,
# submitted as it is even when it is no file here (local:// inside an image, hdfs://). The memory plan below runs
# the job's classes here: JOB_CLASSPATH when set (the classes already built, as run-local.sh takes it), else the
# jar if it is a file here, else the jar built here.
if [[ $gpus -gt 0 ]]; then suffix=shaded-cuda; profile=-Pcuda; else suffix=shaded; profile=; fi
shaded_jar() {
  local built
  built=$(ls "$repo_root"/spark-job/target/spark-job-*-$suffix.jar 2>/dev/null | head -1 || true)
  if [[ -z $built ]]; then
    echo "submit.sh: building the job jar (mvn $profile package)..." >&2
    maven -q -B -f "$repo_root/pom.xml" $profile -DskipTests package >&2
    built=$(ls "$repo_root"/spark-job/target/spark-job-*-$suffix.jar | head -1)
  fi
  echo "$built"
}
[[ -n $jar ]] || jar=$(shaded_jar)
if [[ -n ${JOB_CLASSPATH:-} ]]; then
  local_jar=$JOB_CLASSPATH
elif [[ -f $jar ]]; then
  local_jar=$jar
else
  local_jar=$(shaded_jar)
fi

# Off-heap limits and memory overhead for this model and batch size, computed by the job itself (`Main
# resources` prints spark.* settings to pass on and executor.java-options to add to the executors' options).
plan_args=()
[[ $command == train || $command == preflight ]] && plan_args=("${job_args[@]+"${job_args[@]}"}")
if [[ $command == bench ]]; then  # the job's options without bench's own
  skip=false
  for a in ${job_args[@]+"${job_args[@]}"}; do
    if $skip; then skip=false; continue; fi
    case "$a" in
      --json|--masters) skip=true ;;
      --json=*|--masters=*) ;;
      *) plan_args+=("$a") ;;
    esac
  done
fi
if [[ -z $spark_home ]] && command -v spark-submit > /dev/null; then
  spark_home=$(cd "$(dirname "$(readlink -f "$(command -v spark-submit)")")/.." && pwd)
fi
if [[ -n $spark_home ]]; then
  plan_classpath="$local_jar:$spark_home/jars/*"
else  # no Spark here (e.g. only printing the command): Spark's jars from Maven, as run-local.sh does
  maven -q -B -f "$repo_root/spark-job/pom.xml" dependency:build-classpath -Dmdep.includeScope=provided \
    -Dmdep.outputFile=target/provided-classpath.txt >&2
  plan_classpath="$local_jar:$(cat "$repo_root/spark-job/target/provided-classpath.txt")"
fi
plan_errors=$(mktemp)
resources=$("${JAVA:-java}" -cp "$plan_classpath" io.sparkcnn.cli.Main resources --config "$config" \
  --executor-memory "$executor_memory" --executor-cores "$executor_cores" "${plan_args[@]+"${plan_args[@]}"}" \
  2> "$plan_errors") || {
  code=$?  # the job's own exit code: 2 for a bad configuration, whose errors it lists
  grep -v -E '^(WARNING|[0-9:.]+ (INFO|DEBUG))' "$plan_errors" >&2 || true
  rm -f "$plan_errors"
  echo "submit.sh: nothing submitted: 'Main resources' failed on this configuration (exit code $code)" >&2
  exit "$code"
}
rm -f "$plan_errors"
derived_conf=()
while IFS= read -r line; do
  case "$line" in
    spark.*) derived_conf+=(--conf "$line") ;;
    executor.java-options=*) javacpp_options=${line#executor.java-options=} ;;
  esac
done <<< "$resources"

coretype=${OPENBLAS_CORETYPE-$(openblas_coretype)}
helpers=-Dorg.eclipse.deeplearning4j.helpers.disable=false
driver_options="$(module_options) $helpers"
[[ $deploy_mode == client ]] && driver_options+=" -Dlog4j2.configurationFile=$repo_root/conf/log4j2.xml"

args=(--master "$master" --deploy-mode "$deploy_mode" --name "spark-cnn-trainer $command"
  --class io.sparkcnn.cli.Main
  --driver-memory "$driver_memory" --driver-java-options "$driver_options"
  --executor-memory "$executor_memory"
  "${derived_conf[@]}"
  --conf "spark.executor.extraJavaOptions=$(module_options) $helpers ${javacpp_options:-}"
  --conf spark.executorEnv.OMP_NUM_THREADS=1
  --conf spark.serializer=org.apache.spark.serializer.KryoSerializer
  --conf spark.kryo.registrator=io.sparkcnn.runtime.NdArrayKryoRegistrator)
[[ -n $coretype ]] && args+=(--conf "spark.executorEnv.OPENBLAS_CORETYPE=$coretype")

# Training uses as many workers as there are executor cores when it starts: wait for all of them (up to
# spark.scheduler.maxRegisteredResourcesWaitingTime, 30 s by default).
[[ $target != local ]] && args+=(--conf spark.scheduler.minRegisteredResourcesRatio=1.0)

case "$target" in
  standalone)
    args+=(--total-executor-cores "$((executors * executor_cores))" --executor-cores "$executor_cores") ;;
  yarn)
    args+=(--num-executors "$executors" --executor-cores "$executor_cores")
    [[ -n $queue ]] && args+=(--queue "$queue")
    # One attempt: YARN would re-run a failed application master, in cluster mode the whole job, which fails
    # again on its own errors (exit codes 2-6) and could publish after a newer run; schedulers retry instead.
    args+=(--conf spark.yarn.maxAppAttempts=1 --conf spark.yarn.appMasterEnv.OMP_NUM_THREADS=1)
    [[ -n $coretype ]] && args+=(--conf "spark.yarn.appMasterEnv.OPENBLAS_CORETYPE=$coretype") ;;
  k8s)
    args+=(--conf "spark.executor.instances=$executors" --conf "spark.executor.cores=$executor_cores"
      --conf "spark.kubernetes.namespace=$k8s_namespace"
      --conf "spark.kubernetes.container.image=${k8s_image:-IMAGE}"
      --conf spark.kubernetes.driverEnv.OMP_NUM_THREADS=1)
    [[ -n $coretype ]] && args+=(--conf "spark.kubernetes.driverEnv.OPENBLAS_CORETYPE=$coretype") ;;
esac

if [[ $gpus -gt 0 ]]; then
  args+=(--conf "spark.executor.resource.gpu.amount=$gpus"
    --conf "spark.task.resource.gpu.amount=$(awk -v g="$gpus" -v c="$executor_cores" 'BEGIN { print g / c }')"
    --conf spark.executor.resource.gpu.discoveryScript=./gpu-discovery.sh
    --files "$repo_root/submit-scripts/gpu-discovery.sh")
fi

# The job config: read where it is in client mode and by standalone cluster-mode drivers (a path the workers
# see: the same machine, a shared mount). On YARN and Kubernetes in cluster mode, it and every file it includes,
# transitively, go into one zip with their relative paths kept, shipped with --archives and unpacked as jobconf/
# in the driver's working directory, where the includes resolve as they do here.
job_config=$config
if $print_only; then  # the printed command names the config bundle, which stays for that command
  work=$repo_root/target/submit
  mkdir -p "$work"
elif [[ $deploy_mode == cluster ]]; then  # the config bundle and spark-submit's log, removed on exit
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
if [[ $deploy_mode == cluster && ($target == yarn || $target == k8s) ]]; then
  job_config=jobconf/$(python3 - "$config" "$work/jobconf.zip" <<'EOF'
import os, re, sys, zipfile
top, out = os.path.normpath(sys.argv[1]), sys.argv[2]
include = re.compile(r'^\s*include\s+(?:required\(\s*)?(?:file\(\s*)?"([^"]+)"', re.M)
seen, todo = [], [top]
while todo:
    f = todo.pop()
    if f in seen or not os.path.isfile(f):  # HOCON ignores a missing include, and so does the job
        continue
    seen.append(f)
    with open(f, encoding="utf-8") as text:
        todo += [os.path.normpath(os.path.join(os.path.dirname(f), i)) for i in include.findall(text.read())]
base = os.path.commonpath([os.path.dirname(f) for f in seen])
with zipfile.ZipFile(out, "w") as z:
    for f in seen:
        z.write(f, os.path.relpath(f, base))
print(os.path.relpath(top, base))
EOF
)
  args+=(--archives "$work/jobconf.zip#jobconf")
fi

args+=("${user_conf[@]+"${user_conf[@]}"}" "$jar" "$command" --config "$job_config" "${job_args[@]+"${job_args[@]}"}")
spark_submit=${spark_home:+$spark_home/bin/}spark-submit

export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
export_malloc_settings
[[ -n $coretype ]] && export OPENBLAS_CORETYPE=$coretype
if $print_only; then
  printf '%q ' "$spark_submit" "${args[@]}"; echo
  exit 0
fi

if [[ $deploy_mode == client ]]; then
  exec "$spark_submit" "${args[@]}"
fi
if [[ $target == k8s ]]; then
  "$spark_submit" "${args[@]}"
  exit 0
fi

if [[ $target == yarn ]]; then
  # spark-submit waits for the application and exits 1 whenever it did not succeed; its last report says why.
  code=0
  "$spark_submit" "${args[@]}" 2>&1 | tee "$work/submit.log" >&2 || code=$?
  app=$(grep -o 'application_[0-9]*_[0-9]*' "$work/submit.log" | tail -1 || true)
  [[ -n $app ]] || { echo "submit.sh: no application was submitted to YARN (see above)" >&2; exit $((code == 0 ? 1 : code)); }
  final=$(sed -n 's/^[[:space:]]*final status: \([A-Z]*\).*/\1/p' "$work/submit.log" | tail -1)
  status=$(sed -n 's/.*User application exited with status \([0-9]*\).*/\1/p' "$work/submit.log" | tail -1)
  if [[ $final == SUCCEEDED && $code == 0 ]]; then
    echo "submit.sh: application $app ended with final status SUCCEEDED" >&2; exit 0
  elif [[ -n $status && $status != 0 ]]; then
    echo "submit.sh: application $app ended with final status ${final:-unknown}: the job exited with code $status" >&2; exit "$status"
  fi
  echo "submit.sh: application $app ended with final status ${final:-unknown} (its logs: the containers' stderr, or yarn logs -applicationId $app)" >&2
  exit 1
fi

# Standalone cluster mode: spark-submit returns once the driver is submitted (and exits 0 even when the
# driver fails later), so follow the driver on the master until it ends and report its final state.
log=$work/submit.log
"$spark_submit" "${args[@]}" 2>&1 | tee "$log" >&2
driver=$(grep -o 'driver-[0-9]*-[0-9]*' "$log" | head -1 || true)
[[ -n $driver ]] || { echo "submit.sh: the driver was not submitted (see above)" >&2; exit 1; }
master_ui=${master_ui:-http://$(sed 's#spark://\([^:/]*\).*#\1#' <<< "$master"):8080}
echo "submit.sh: following $driver on $master_ui" >&2
while true; do
  state=$(curl -fsS "$master_ui/json/" | DRIVER=$driver python3 -c 'import json, os, sys
m = json.load(sys.stdin)
print(next((d["state"] for d in m.get("activedrivers", []) + m.get("completeddrivers", []) if d["id"] == os.environ["DRIVER"]), "UNKNOWN"))') \
    || state=UNREACHABLE
  case "$state" in
    FINISHED) echo "submit.sh: driver $driver ended FINISHED" >&2; exit 0 ;;
    FAILED|ERROR|KILLED) echo "submit.sh: driver $driver ended $state (its log is in the worker's work directory, $driver/stderr)" >&2; exit 1 ;;
  esac
  sleep 2
done
