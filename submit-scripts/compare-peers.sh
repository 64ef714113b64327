#!/usr/bin/env bash
# This job against TensorFlow Java on the same cores, in one run (issue 22; the peers are in ../shared/peers, see
# its README). First throughput, one epoch each (skipped with --no-throughput):
#   - TensorFlow Java with 1 thread (images per CPU-second) and with 2 threads (images per wall second), batch 128;
#   - this job's bench with CONFIG: one process at CONFIG's batch (images per CPU-second) and local[2] (images per
#     wall second, and test accuracy after the epoch).
# Then time to accuracy: the wall time of training, evaluations excluded, until the held-out accuracy first
# reaches TARGET, for
#   - TensorFlow Java 1.1.0 with Keras's recipe (Adadelta lr 1.0, batch 128), 2 threads, evaluating every 50
#     iterations (6,400 images): EVAL_EVERY=50 TARGET=... THREADS=2 run-tfjava.sh EPOCHS;
#   - this job on local[2] with CONFIG, evaluating after the first averaging round past every 6,400 images
#     (run-local.sh bench --time-to-accuracy);
# then prints a table of both and their ratios against issue 22's targets, and the load average before each step.
#
#   submit-scripts/compare-peers.sh [--target 0.99] [--epochs 10] [--tf-epochs 6] [--config conf/job.conf]
#                                   [--no-throughput] [-- job options]
#
# Environment: PEERS_DIR (default ../shared/peers beside the repository), JAVA, DRIVER_MEMORY as for run-local.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"

target=0.99
epochs=10
tf_epochs=6
config=conf/job.conf
throughput=true
job_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --target) target=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --tf-epochs) tf_epochs=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --no-throughput) throughput=false; shift ;;
    --) shift; job_args=("$@"); break ;;
    *) echo "compare-peers.sh: unknown option $1 (see the header of this script)" >&2; exit 2 ;;
  esac
done
peers=${PEERS_DIR:-$repo_root/../shared/peers}
[[ -x $peers/run-tfjava.sh ]] || { echo "compare-peers.sh: no $peers/run-tfjava.sh (set PEERS_DIR)" >&2; exit 2; }
out=$(mktemp -d)

# "RESULT steady-state (...): X img/s wall, Y img per CPU-s, ..." of a TensorFlow run: field 1 = wall, 2 = CPU
tf_rate() { sed -n 's/^RESULT steady-state[^:]*: \([0-9.]*\) img\/s wall, \([0-9.]*\) img per CPU-s.*/\1 \2/p' "$1" | cut -d' ' -f"$2"; }
# a train row of bench's table for WHERE: field 10 = img/s, 11 = img/CPU-s, 15 = test accuracy
bench_field() { awk -F'|' -v w="$2" -v f="$3" '$2 ~ /train/ && $3 ~ w { gsub(/ /, "", $f); print $f; exit }' "$1"; }

if $throughput; then
  echo "== load before TensorFlow Java, 1 thread: $(cat /proc/loadavg)"
  THREADS=1 "$peers/run-tfjava.sh" 1 | tee "$out/tf1.log"
  echo "== load before TensorFlow Java, 2 threads: $(cat /proc/loadavg)"
  THREADS=2 "$peers/run-tfjava.sh" 1 | tee "$out/tf2.log"
  echo "== load before the job's bench: $(cat /proc/loadavg)"
  submit-scripts/run-local.sh bench --masters 'local[2]' --config "$config" ${job_args[@]+"${job_args[@]}"} \
    | tee "$out/bench.log"
fi
echo "== load before TensorFlow Java, time to $target: $(cat /proc/loadavg)"
EVAL_EVERY=50 TARGET=$target THREADS=2 "$peers/run-tfjava.sh" "$tf_epochs" | tee "$out/tf.log"
echo "== load before the job, time to $target: $(cat /proc/loadavg)"
submit-scripts/run-local.sh bench --master 'local[2]' --config "$config" --epochs "$epochs" \
  --time-to-accuracy "$target" --eval-every-images 6400 ${job_args[@]+"${job_args[@]}"} | tee "$out/job.log"
echo "== load after: $(cat /proc/loadavg)"

tf_line=$(grep -m1 '^RESULT time to ' "$out/tf.log" || true)
job_line=$(grep -m1 '^RESULT time-to-accuracy ' "$out/job.log" || true)
tf_s=$(sed -n 's/^RESULT time to [0-9.]*: \([0-9.]*\) s training wall, \([0-9]*\) images (\([0-9.]*\) epochs).*/\1/p' <<< "$tf_line")
tf_ep=$(sed -n 's/^RESULT time to [0-9.]*: [0-9.]* s training wall, [0-9]* images (\([0-9.]*\) epochs).*/\1/p' <<< "$tf_line")
job_s=$(sed -n 's/.* seconds=\([0-9.]*\) epochs=.*/\1/p' <<< "$job_line")
job_ep=$(sed -n 's/.* epochs=\([0-9.]*\) images=.*/\1/p' <<< "$job_line")
# "what, this job, TensorFlow Java, job / TF, the target"
row() {
  awk -v w="$1" -v j="$2" -v t="$3" -v g="$4" 'BEGIN {
    r = (j != "" && t != "" && g !~ /^job/) ? sprintf("%.2f", j / t) : "-"
    printf "%-52s %12s %12s %8s   %s\n", w, (j == "" ? "-" : j), (t == "" ? "-" : t), r, g }'
}
echo
printf '%-52s %12s %12s %8s   %s\n' "issue 22, $config" "this job" "TF Java" "job/TF" "target"
if $throughput; then
  row "one process, batch of $config: img per CPU-s (TF 1 thread)" "$(bench_field "$out/bench.log" process 11)" \
    "$(tf_rate "$out/tf1.log" 2)" ">= 1.15"
  row "local[2] (TF 2 threads): img/s wall" "$(bench_field "$out/bench.log" 'local\\[2\\]' 10)" \
    "$(tf_rate "$out/tf2.log" 1)" ">= 1.10"
  row "local[2]: test accuracy after 1 epoch" "$(bench_field "$out/bench.log" 'local\\[2\\]' 15)" \
    "$(sed -n 's/^RESULT test accuracy after epoch 1: //p' "$out/tf2.log")" "job >= 0.975"
fi
row "time to $target, s of training wall (evals excluded)" "$job_s" "$tf_s" "<= 0.90"
row "time to $target, epochs" "$job_ep" "$tf_ep" ""
rm -rf "$out"
