#!/usr/bin/env bash
# Time to accuracy, this job against TensorFlow Java on the same cores, in one run (issue 22; the peers are in
# ../shared/peers, see its README): the wall time of training, evaluations excluded, until the held-out accuracy
# first reaches TARGET, for
#   - TensorFlow Java 1.1.0 with Keras's recipe (Adadelta lr 1.0, batch 128), 2 threads, evaluating every 50
#     iterations (6,400 images): EVAL_EVERY=50 TARGET=... THREADS=2 run-tfjava.sh EPOCHS;
#   - this job on local[2] with CONFIG, evaluating after the first averaging round past every 6,400 images
#     (run-local.sh bench --time-to-accuracy);
# then prints both, their ratio (job / TensorFlow) and the load average before and after each.
#
#   submit-scripts/compare-peers.sh [--target 0.99] [--epochs 10] [--tf-epochs 6] [--config conf/job.conf] [-- job options]
#
# Environment: PEERS_DIR (default ../shared/peers beside the repository), JAVA, DRIVER_MEMORY as for run-local.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"

target=0.99
epochs=10
tf_epochs=6
config=conf/job.conf
job_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --target) target=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --tf-epochs) tf_epochs=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --) shift; job_args=("$@"); break ;;
    *) echo "compare-peers.sh: unknown option $1 (see the header of this script)" >&2; exit 2 ;;
  esac
done
peers=${PEERS_DIR:-$repo_root/../shared/peers}
[[ -x $peers/run-tfjava.sh ]] || { echo "compare-peers.sh: no $peers/run-tfjava.sh (set PEERS_DIR)" >&2; exit 2; }
out=$(mktemp -d)

echo "== load before TensorFlow Java: $(cat /proc/loadavg)"
EVAL_EVERY=50 TARGET=$target THREADS=2 "$peers/run-tfjava.sh" "$tf_epochs" | tee "$out/tf.log"
echo "== load before the job: $(cat /proc/loadavg)"
submit-scripts/run-local.sh bench --master 'local[2]' --config "$config" --epochs "$epochs" \
  --time-to-accuracy "$target" --eval-every-images 6400 ${job_args[@]+"${job_args[@]}"} | tee "$out/job.log"
echo "== load after: $(cat /proc/loadavg)"

tf_line=$(grep -m1 '^RESULT time to ' "$out/tf.log" || true)
job_line=$(grep -m1 '^RESULT time-to-accuracy ' "$out/job.log" || true)
tf_s=$(sed -n 's/^RESULT time to [0-9.]*: \([0-9.]*\) s training wall, \([0-9]*\) images (\([0-9.]*\) epochs).*/\1/p' <<< "$tf_line")
tf_ep=$(sed -n 's/^RESULT time to [0-9.]*: [0-9.]* s training wall, [0-9]* images (\([0-9.]*\) epochs).*/\1/p' <<< "$tf_line")
job_s=$(sed -n 's/.* seconds=\([0-9.]*\) epochs=.*/\1/p' <<< "$job_line")
job_ep=$(sed -n 's/.* epochs=\([0-9.]*\) images=.*/\1/p' <<< "$job_line")
echo
printf '%-44s %14s %10s\n' "time to $target (training wall, evals excluded)" "seconds" "epochs"
printf '%-44s %14s %10s\n' "TensorFlow Java 1.1.0, 2 threads, batch 128" "${tf_s:-not reached}" "${tf_ep:--}"
printf '%-44s %14s %10s\n' "this job, local[2], $config" "${job_s:-not reached}" "${job_ep:--}"
if [[ -n $tf_s && -n $job_s ]]; then
  awk -v j="$job_s" -v t="$tf_s" 'BEGIN { printf "ratio job / TensorFlow: %.2f (target of issue 22: at most 0.90)\n", j / t }'
fi
rm -rf "$out"
