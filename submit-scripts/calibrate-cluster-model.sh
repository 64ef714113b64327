#!/usr/bin/env bash
# Calibrates the cluster time-to-accuracy model (docs/scaling.md, "Cluster time-to-accuracy model") on the
# development standalone cluster and shows predicted against measured images per second:
#   1. for W in 2 4: dev-cluster.sh start --workers W --worker-cores 1, `bench` on it (client mode, the JSON
#      written by the driver on this machine), dev-cluster.sh stop;
#   2. `plan` calibrated on each run in turn, then on all, predicting every run (--validate), with the
#      calibration runs' workers sharing this machine's cores (--calibration-host-cores); its grid (executors x
#      cores x link) is predicted for machines of their own (host cores 0).
#
#   submit-scripts/calibrate-cluster-model.sh [--out DIR] [--train-limit N] [--frequency F] [--workers "2 4"]
#                                             [--host-cores C] [--loopback-gbits G] [--skip-bench] [-- plan options]
#
# Defaults: --out target/cluster-model, --train-limit 12800 images, --frequency 10 (so a short epoch still has
# several rounds), --host-cores = this machine's cores (nproc), --loopback-gbits 10 (an assumption: what the
# calibration's communication over 127.0.0.1 is taken to cost). --skip-bench reuses the bench JSONs in DIR.
# Both runs keep averaging-frequency as given (train.scaling.adapt=false). Run it on an idle machine: other load
# disturbs every figure.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"

out=target/cluster-model
limit=12800
frequency=10
workers_list="2 4"
host_cores=$(nproc)
loopback=10
skip_bench=false
plan_extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --train-limit) limit=$2; shift 2 ;;
    --frequency) frequency=$2; shift 2 ;;
    --workers) workers_list=$2; shift 2 ;;
    --host-cores) host_cores=$2; shift 2 ;;
    --loopback-gbits) loopback=$2; shift 2 ;;
    --skip-bench) skip_bench=true; shift ;;
    --) shift; plan_extra=("$@"); break ;;
    *) echo "calibrate-cluster-model.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
cluster_dir=$out/dev-cluster

if ! $skip_bench; then
  trap 'submit-scripts/dev-cluster.sh stop --dir "$cluster_dir" || true' EXIT
  for w in $workers_list; do
    submit-scripts/dev-cluster.sh start --dir "$cluster_dir" --workers "$w" --worker-cores 1
    eval "$(submit-scripts/dev-cluster.sh env --dir "$cluster_dir")"
    OMP_NUM_THREADS=1 submit-scripts/submit.sh --master "$SPARK_MASTER_URL" --master-ui "$SPARK_MASTER_UI" \
      --executors "$w" --executor-cores 1 -- bench --set "data.dir=file://$repo_root/datasets/cache/mnist" \
      --set "data.train-limit=$limit" --set "train.averaging-frequency=$frequency" --set train.scaling.adapt=false \
      --json "file://$out/bench-w$w.json" | tee "$out/bench-w$w.txt"
    submit-scripts/dev-cluster.sh stop --dir "$cluster_dir"
  done
  trap - EXIT
fi

# plan, calibrated on each run alone (predicting the others is the test; itself, the identity check), then on
# all of them (which separates the per-task set-up from the per-round latency, as the runs share the cores
# differently)
all=()
for w in $workers_list; do all+=("$out/bench-w$w.json"); done
all_csv=$(IFS=,; echo "${all[*]}")
for w in $workers_list all; do
  if [[ $w == all ]]; then calibration=$all_csv; else calibration=$out/bench-w$w.json; fi
  submit-scripts/run-local.sh plan --calibration "$calibration" --calibration-gbits "$loopback" \
    --calibration-host-cores "$host_cores" --validate "$all_csv" --json "file://$out/plan-from-$w.json" \
    ${plan_extra[@]+"${plan_extra[@]}"} | tee "$out/plan-from-$w.txt"
done
