#!/usr/bin/env bash
# A development cluster on this machine without a Spark download (STACK.md, "A real Spark standalone cluster
# and a real HDFS, from Maven jars alone"): a Spark 3.5.7 SPARK_HOME assembled from Maven jars, a standalone
# master with N workers and, with --hdfs, a NameNode and a DataNode; or, with --yarn, HDFS and a YARN
# ResourceManager and NodeManager instead of the standalone master and workers. Each is a separate JVM bound to
# 127.0.0.1.
#
#   submit-scripts/dev-cluster.sh assemble [--dir DIR]
#   submit-scripts/dev-cluster.sh start [--dir DIR] [--workers N] [--worker-cores C] [--worker-memory 2g] [--hdfs]
#   submit-scripts/dev-cluster.sh start --yarn [--dir DIR] [--yarn-memory MB] [--yarn-vcores N]
#   submit-scripts/dev-cluster.sh env|status|stop [--dir DIR]
#
# DIR (default target/dev-cluster) holds everything: spark-home/ (jars/, conf/, bin/spark-submit, bin/spark-shell), hdfs-jars/,
# the daemons' logs, work and data directories, and cluster.env, which `start` writes and `env` prints:
#   SPARK_HOME, SPARK_MASTER_URL (spark://127.0.0.1:PORT, or yarn), SPARK_MASTER_UI (http://127.0.0.1:PORT),
#   HDFS_URL (hdfs://127.0.0.1:PORT, with --hdfs or --yarn), HADOOP_CONF_DIR and YARN_RM_UI (with --yarn), and
#   the daemons' process ids.
# The NodeManager offers --yarn-memory MB (default 12288) and --yarn-vcores (default 8) to containers: YARN's
# accounting, not a limit on this machine's cores; containers over their memory are killed, as on a real cluster.
# `stop` ends every daemon with its children (executors, cluster-mode drivers) and checks that none is left.
# Temporary files of the daemons and of the executors they start stay under DIR.
set -euo pipefail
source "$(dirname "$0")/common.sh"
root=$repo_root

command=${1:-}
[[ -n $command ]] && shift || true
dir=$root/target/dev-cluster
workers=2
worker_cores=1
worker_memory=2g
hdfs=false
yarn=false
yarn_memory=12288
yarn_vcores=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --worker-cores) worker_cores=$2; shift 2 ;;
    --worker-memory) worker_memory=$2; shift 2 ;;
    --hdfs) hdfs=true; shift ;;
    --yarn) yarn=true; hdfs=true; shift ;;
    --yarn-memory) yarn_memory=$2; shift 2 ;;
    --yarn-vcores) yarn_vcores=$2; shift 2 ;;
    *) echo "dev-cluster.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
spark_home=$dir/spark-home
state=$dir/cluster.env
java=${JAVA:-java}

die() { echo "dev-cluster.sh: $*" >&2; exit 1; }

assemble() {
  if [[ -f $spark_home/RELEASE && -x $spark_home/bin/spark-shell && -f $dir/hdfs-jars/.complete ]] \
     && compgen -G "$spark_home/jars/spark-yarn_*.jar" > /dev/null; then
    return 0
  fi
  echo "dev-cluster: assembling SPARK_HOME from Maven jars in $spark_home" >&2
  rm -rf "$spark_home" "$dir/hdfs-jars"
  mkdir -p "$spark_home/conf" "$spark_home/bin" "$dir/hdfs-jars"
  maven -q -B -f "$root/submit-scripts/dev-cluster/pom.xml" -Pspark dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$spark_home/jars" >&2
  maven -q -B -f "$root/submit-scripts/dev-cluster/pom.xml" -Phdfs dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$dir/hdfs-jars" >&2
  # Executors launched by a worker get Spark's module options by themselves; cluster-mode drivers do not.
  # On YARN, Spark's jars are read where they are on each node (local:), not uploaded with every application.
  cat > "$spark_home/conf/spark-defaults.conf" <<EOF
spark.driver.extraJavaOptions $(module_options)
spark.master.rest.enabled false
spark.yarn.jars local:$spark_home/jars/*
EOF
  # The daemons' (and executors') logging: INFO, which is what start waits for and what tests read.
  cat > "$spark_home/conf/log4j2.properties" <<'EOF'
rootLogger.level = info
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n
logger.jetty.name = org.sparkproject.jetty
logger.jetty.level = warn
logger.hdfsaudit.name = org.apache.hadoop.hdfs.server.namenode.FSNamesystem.audit
logger.hdfsaudit.level = warn
EOF
  # bin/spark-submit as in a Spark distribution (bin/spark-class): the launcher prints any messages, a line
  # holding a NUL, then the final java command NUL-separated, and we append its exit code; run that command, so
  # that --driver-memory and --driver-java-options take effect.
  cat > "$spark_home/bin/spark-submit" <<'EOF'
#!/usr/bin/env bash
export SPARK_HOME="${SPARK_HOME:-$(cd "$(dirname "$0")/.." && pwd)}"
export SPARK_SCALA_VERSION=2.12
started=false
cmd=()
delim=$'\n'
while IFS= read -d "$delim" -r arg; do
  if $started; then
    cmd+=("$arg")
  elif [[ -z $arg ]]; then  # the launcher's NUL line (bash drops the NUL): the command follows
    delim=''
    started=true
  else
    echo "$arg"
  fi
done < <("${JAVA:-java}" -Xmx128m -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main \
  org.apache.spark.deploy.SparkSubmit "$@"; printf '%d\0' $?)
$started || exit 1
code=${cmd[${#cmd[@]}-1]}
unset 'cmd[${#cmd[@]}-1]'
[[ $code == 0 ]] || exit "$code"
exec "${cmd[@]}"
EOF
  chmod +x "$spark_home/bin/spark-submit"
  # bin/spark-shell as in a Spark distribution: the Scala REPL as the driver of spark-submit.
  cat > "$spark_home/bin/spark-shell" <<'EOF'
#!/usr/bin/env bash
export SPARK_SUBMIT_OPTS="${SPARK_SUBMIT_OPTS:-} -Dscala.usejavacp=true"
exec "$(dirname "$0")/spark-submit" --class org.apache.spark.repl.Main --name "Spark shell" "$@"
EOF
  chmod +x "$spark_home/bin/spark-shell"
  echo "Spark 3.5.7 (assembled from Maven jars by spark-cnn-trainer's dev-cluster.sh)" > "$spark_home/RELEASE"
  touch "$dir/hdfs-jars/.complete"
}

# Waits up to $2 seconds for a line matching $3 in log $1 and prints the line.
wait_for_log() {
  local log=$1 timeout=$2 pattern=$3 pid=$4 line
  for ((i = 0; i < timeout * 5; i++)); do
    if line=$(grep -m1 -E "$pattern" "$log" 2>/dev/null); then
      echo "$line"; return 0
    fi
    kill -0 "$pid" 2>/dev/null || die "process $pid exited before '$pattern'; see $log"
    sleep 0.2
  done
  die "timed out after ${timeout}s waiting for '$pattern' in $log"
}

# Starts a daemon JVM in its own process group (so `stop` also ends its children); prints its pid.
daemon() {
  local name=$1; shift
  setsid "$@" > "$dir/logs/$name.log" 2>&1 < /dev/null &
  echo $!
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

hdfs_site() {  # $1: NameNode RPC port
  cat > "$dir/hadoop-conf/core-site.xml" <<EOF
<configuration>
  <property><name>fs.defaultFS</name><value>hdfs://127.0.0.1:$1</value></property>
  <property><name>hadoop.tmp.dir</name><value>$dir/tmp/hadoop</value></property>
</configuration>
EOF
  cat > "$dir/hadoop-conf/hdfs-site.xml" <<EOF
<configuration>
  <property><name>dfs.namenode.rpc-address</name><value>127.0.0.1:$1</value></property>
  <property><name>dfs.namenode.http-address</name><value>127.0.0.1:0</value></property>
  <property><name>dfs.namenode.name.dir</name><value>$dir/hdfs/name</value></property>
  <property><name>dfs.datanode.data.dir</name><value>$dir/hdfs/data</value></property>
  <property><name>dfs.datanode.address</name><value>127.0.0.1:0</value></property>
  <property><name>dfs.datanode.http.address</name><value>127.0.0.1:0</value></property>
  <property><name>dfs.datanode.ipc.address</name><value>127.0.0.1:0</value></property>
  <property><name>dfs.datanode.hostname</name><value>127.0.0.1</value></property>
  <property><name>dfs.replication</name><value>1</value></property>
  <property><name>dfs.permissions.enabled</name><value>false</value></property>
  <property><name>dfs.namenode.safemode.extension</name><value>0</value></property>
  <property><name>dfs.namenode.metrics.logger.period.seconds</name><value>0</value></property>
  <property><name>dfs.datanode.metrics.logger.period.seconds</name><value>0</value></property>
</configuration>
EOF
}

yarn_site() {  # $1: the ResourceManager's web port (its REST API); the other ports come from free_port
  local host=127.0.0.1
  cat > "$dir/hadoop-conf/yarn-site.xml" <<EOF
<configuration>
  <property><name>yarn.resourcemanager.hostname</name><value>$host</value></property>
  <property><name>yarn.resourcemanager.address</name><value>$host:$(free_port)</value></property>
  <property><name>yarn.resourcemanager.scheduler.address</name><value>$host:$(free_port)</value></property>
  <property><name>yarn.resourcemanager.resource-tracker.address</name><value>$host:$(free_port)</value></property>
  <property><name>yarn.resourcemanager.admin.address</name><value>$host:$(free_port)</value></property>
  <property><name>yarn.resourcemanager.webapp.address</name><value>$host:$1</value></property>
  <property><name>yarn.resourcemanager.webapp.https.address</name><value>$host:0</value></property>
  <property><name>yarn.nodemanager.hostname</name><value>$host</value></property>
  <property><name>yarn.nodemanager.address</name><value>$host:0</value></property>
  <property><name>yarn.nodemanager.localizer.address</name><value>$host:0</value></property>
  <property><name>yarn.nodemanager.webapp.address</name><value>$host:0</value></property>
  <property><name>yarn.nodemanager.local-dirs</name><value>$dir/yarn/local</value></property>
  <property><name>yarn.nodemanager.log-dirs</name><value>$dir/yarn/logs</value></property>
  <property><name>yarn.node-attribute.fs-store.root-dir</name><value>file://$dir/yarn/node-attribute</value></property>
  <property><name>yarn.node-labels.fs-store.root-dir</name><value>file://$dir/yarn/node-labels</value></property>
  <property><name>yarn.nodemanager.resource.memory-mb</name><value>$yarn_memory</value></property>
  <property><name>yarn.nodemanager.resource.cpu-vcores</name><value>$yarn_vcores</value></property>
  <property><name>yarn.scheduler.minimum-allocation-mb</name><value>128</value></property>
  <property><name>yarn.scheduler.maximum-allocation-mb</name><value>$yarn_memory</value></property>
  <property><name>yarn.scheduler.maximum-allocation-vcores</name><value>$yarn_vcores</value></property>
  <property><name>yarn.nodemanager.vmem-check-enabled</name><value>false</value></property>
  <property><name>yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage</name><value>99</value></property>
</configuration>
EOF
  # One queue, "default"; application masters (cluster-mode drivers) may take half of it, so that two
  # applications can run at once (YARN's default of 10 % would leave the second one waiting).
  cat > "$dir/hadoop-conf/capacity-scheduler.xml" <<'EOF'
<configuration>
  <property><name>yarn.scheduler.capacity.root.queues</name><value>default</value></property>
  <property><name>yarn.scheduler.capacity.root.default.capacity</name><value>100</value></property>
  <property><name>yarn.scheduler.capacity.root.default.maximum-capacity</name><value>100</value></property>
  <property><name>yarn.scheduler.capacity.maximum-am-resource-percent</name><value>0.5</value></property>
</configuration>
EOF
}

start() {
  [[ -f $state ]] && die "a cluster of $dir is running already (stop it first): $(grep SPARK_MASTER_URL "$state")"
  assemble
  mkdir -p "$dir/logs" "$dir/tmp" "$dir/work" "$dir/local"
  export SPARK_HOME=$spark_home SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_DIRS=$dir/local
  local jvm=("$java" -Xmx512m -XX:-UsePerfData -Djava.io.tmpdir="$dir/tmp" $(module_options))
  local cp="$spark_home/conf:$spark_home/jars/*"
  pids=()
  trap 'if [[ ! -f $state ]]; then echo "dev-cluster: start failed, stopping what started" >&2
        for p in "${pids[@]}"; do kill -9 -- "-$p" 2>/dev/null || true; done; rm -f "$state.part"; fi' EXIT

  if $hdfs; then
    local nn_port; nn_port=$(free_port)
    mkdir -p "$dir/hadoop-conf"
    hdfs_site "$nn_port"
    local hcp="$dir/hadoop-conf:$spark_home/conf:$dir/hdfs-jars/*:$spark_home/jars/*"
    if [[ ! -d $dir/hdfs/name/current ]]; then
      "${jvm[@]}" -cp "$hcp" org.apache.hadoop.hdfs.server.namenode.NameNode -format -nonInteractive \
        > "$dir/logs/namenode-format.log" 2>&1 || die "NameNode -format failed; see $dir/logs/namenode-format.log"
    fi
    pids+=("$(daemon namenode "${jvm[@]}" -cp "$hcp" org.apache.hadoop.hdfs.server.namenode.NameNode)")
    echo "NAMENODE_PID=${pids[-1]}" > "$state.part"
    wait_for_log "$dir/logs/namenode.log" 60 "IPC Server listener on $nn_port: starting" "${pids[-1]}" > /dev/null
    pids+=("$(daemon datanode "${jvm[@]}" -cp "$hcp" org.apache.hadoop.hdfs.server.datanode.DataNode)")
    echo "DATANODE_PID=${pids[-1]}" >> "$state.part"
    wait_for_log "$dir/logs/namenode.log" 60 "Adding new storage ID|registerDatanode" "${pids[0]}" > /dev/null
    echo "HDFS_URL=hdfs://127.0.0.1:$nn_port" >> "$state.part"
    # As HADOOP_CONF_DIR on a real cluster: drivers and executors find HDFS as their default filesystem.
    printf '<configuration>\n  <property><name>fs.defaultFS</name><value>hdfs://127.0.0.1:%s</value></property>\n</configuration>\n' \
      "$nn_port" > "$spark_home/conf/core-site.xml"
  fi

  if $yarn; then
    start_yarn
    return
  fi
  pids+=("$(daemon master "${jvm[@]}" -cp "$cp" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port 0 --webui-port 0)")
  local master_pid=${pids[-1]}
  echo "MASTER_PID=$master_pid" >> "$state.part"
  local url ui
  url=$(wait_for_log "$dir/logs/master.log" 60 "Starting Spark master at spark://" "$master_pid" | grep -o 'spark://[0-9.:]*')
  ui=$(wait_for_log "$dir/logs/master.log" 60 "MasterWebUI.*started at http://" "$master_pid" | grep -o 'http://[^ ]*' | sed 's/localhost/127.0.0.1/')
  local worker_pids=()
  for ((w = 1; w <= workers; w++)); do
    mkdir -p "$dir/work/worker-$w"
    pids+=("$(daemon "worker-$w" "${jvm[@]}" -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
      --cores "$worker_cores" --memory "$worker_memory" --webui-port 0 --work-dir "$dir/work/worker-$w" "$url")")
    worker_pids+=("${pids[-1]}")
  done
  for ((w = 1; w <= workers; w++)); do
    wait_for_log "$dir/logs/worker-$w.log" 90 "Successfully registered with master" "${worker_pids[w-1]}" > /dev/null
  done
  {
    cat "$state.part"
    echo "WORKER_PIDS=\"${worker_pids[*]}\""
    echo "SPARK_HOME=$spark_home"
    echo "SPARK_MASTER_URL=$url"
    echo "SPARK_MASTER_UI=$ui"
    echo "DEV_CLUSTER_DIR=$dir"
  } > "$state"
  rm -f "$state.part"
  echo "dev-cluster: master $url (UI $ui), $workers workers x $worker_cores cores x $worker_memory$($hdfs && echo ", HDFS $(grep -o 'hdfs://.*' "$state")")" >&2
  cat "$state"
}

# A ResourceManager and a NodeManager (the minicluster jar holds both), after HDFS; called by start with its
# jvm, hcp and pids. The NodeManager launches containers (application masters, executors) with bash and
# JAVA_HOME, each in its own session, in its local directories under DIR/yarn.
start_yarn() {
  local web_port; web_port=$(free_port)
  yarn_site "$web_port"
  mkdir -p "$dir/yarn/local" "$dir/yarn/logs"
  export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v "$java")")")")}
  pids+=("$(daemon resourcemanager "${jvm[@]}" -cp "$hcp" org.apache.hadoop.yarn.server.resourcemanager.ResourceManager)")
  local rm_pid=${pids[-1]}
  echo "RESOURCEMANAGER_PID=$rm_pid" >> "$state.part"
  wait_for_log "$dir/logs/resourcemanager.log" 90 "Transitioned to active state" "$rm_pid" > /dev/null
  pids+=("$(daemon nodemanager "${jvm[@]}" -cp "$hcp" org.apache.hadoop.yarn.server.nodemanager.NodeManager)")
  echo "NODEMANAGER_PID=${pids[-1]}" >> "$state.part"
  wait_for_log "$dir/logs/nodemanager.log" 90 "Registered with ResourceManager" "${pids[-1]}" > /dev/null
  {
    cat "$state.part"
    echo "SPARK_HOME=$spark_home"
    echo "SPARK_MASTER_URL=yarn"
    echo "HADOOP_CONF_DIR=$dir/hadoop-conf"
    echo "YARN_RM_UI=http://127.0.0.1:$web_port"
    echo "DEV_CLUSTER_DIR=$dir"
  } > "$state"
  rm -f "$state.part"
  echo "dev-cluster: YARN (ResourceManager http://127.0.0.1:$web_port, one NodeManager of $yarn_memory MB and $yarn_vcores vcores), HDFS $(grep -o 'hdfs://.*' "$state")" >&2
  cat "$state"
}

# Every process of the cluster: the daemons' process groups (with executors and drivers the workers started),
# and YARN's containers, which run in sessions of their own from directories under DIR/yarn.
cluster_pids() {
  local p
  for p in ${NAMENODE_PID:-} ${DATANODE_PID:-} ${MASTER_PID:-} ${WORKER_PIDS:-} ${RESOURCEMANAGER_PID:-} \
           ${NODEMANAGER_PID:-}; do
    pgrep -g "$p" 2>/dev/null || true
  done
  pgrep -f "$dir/yarn/" 2>/dev/null || true
}

stop() {
  if [[ ! -f $state && ! -f $state.part ]]; then
    echo "dev-cluster: nothing running in $dir" >&2; return 0
  fi
  # shellcheck disable=SC1090
  source "$state" 2>/dev/null || source "$state.part"
  local groups=(${WORKER_PIDS:-} ${MASTER_PID:-} ${NODEMANAGER_PID:-} ${RESOURCEMANAGER_PID:-} ${DATANODE_PID:-}
    ${NAMENODE_PID:-}) g
  for g in "${groups[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
  for ((i = 0; i < 75; i++)); do
    [[ -z $(cluster_pids) ]] && break
    sleep 0.2
  done
  for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  for p in $(cluster_pids); do kill -KILL "$p" 2>/dev/null || true; done
  for ((i = 0; i < 25; i++)); do
    [[ -z $(cluster_pids) ]] && break
    sleep 0.2
  done
  local left; left=$(cluster_pids | tr '\n' ' ')
  [[ -z $left ]] || die "processes still running after stop: $left"
  rm -f "$state" "$state.part" "$spark_home/conf/core-site.xml"
  rm -rf "$dir/tmp" "$dir/local"
  echo "dev-cluster: stopped (${#groups[@]} daemons and their children)" >&2
}

status() {
  [[ -f $state ]] || { echo "dev-cluster: not running ($dir)"; return 3; }
  # shellcheck disable=SC1090
  source "$state"
  cat "$state"
  if [[ -n ${YARN_RM_UI:-} ]]; then
    curl -fsS "$YARN_RM_UI/ws/v1/cluster/metrics" | python3 -c 'import json, sys
m = json.load(sys.stdin)
m = m.get("clusterMetrics", m)  # Hadoop 3.3 answers without the wrapping object
print("yarn: %d node managers active, %d MB and %d vcores free, %d applications running" % (m["activeNodes"],
      m["availableMB"], m["availableVirtualCores"], m["appsRunning"]))'
    return
  fi
  curl -fsS "$SPARK_MASTER_UI/json/" | python3 -c 'import json, sys
m = json.load(sys.stdin)
print("master: %s, %d workers alive, %d cores, %d running applications" % (m["status"],
      sum(w["state"] == "ALIVE" for w in m["workers"]), m["cores"], len(m["activeapps"])))'
}

case "$command" in
  assemble) assemble; echo "SPARK_HOME=$spark_home" ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) [[ -f $state ]] || die "not running ($dir)"; sed 's/^/export /' "$state" ;;
  *) echo "usage: dev-cluster.sh assemble|start|stop|status|env [--dir DIR] [--workers N] [--worker-cores C] [--worker-memory M] [--hdfs] [--yarn [--yarn-memory MB] [--yarn-vcores N]]" >&2
     exit 2 ;;
esac
