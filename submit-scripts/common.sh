# Shared by the scripts in submit-scripts/ (sourced, not run): the repository root and the settings every
# launch of the job needs (STACK.md, "JVM flags" and "Speed").

# The repository root.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Spark 3.5's Java 17 module options (conf/jvm-module.options), on one line.
module_options() {
  tr '\n' ' ' < "$repo_root/conf/jvm-module.options" | sed 's/ *$//'
}

# OpenBLAS 0.3.19 misdetects AVX-512 Xeons as Prescott: the core type to force for this machine's CPU, or
# nothing when OpenBLAS can be left to detect it. Executors on other hardware need their own (--conf).
openblas_coretype() {
  local flags
  flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
  if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512vl "* ]]; then
    echo SKYLAKEX
  elif [[ $flags == *" avx2 "* ]]; then
    echo HASWELL
  fi
}

# glibc malloc settings for every JVM that trains (the job passes the same to executors, see NativeSetup):
# minibatch buffers are reused from the heap instead of being page-faulted in afresh every minibatch.
# Values already in the environment are kept.
export_malloc_settings() {
  export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-33554432}
  export MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-268435456}
  export MALLOC_TOP_PAD_=${MALLOC_TOP_PAD_:-67108864}
}

# Runs Maven with the given arguments. When its output is not a terminal (a log file, a pipe), without escape
# codes: -Dstyle.color=never turns Maven's colours off, and jansi.noreset (a JVM property, so in MAVEN_OPTS)
# stops the Jansi 2.4 that Debian's Maven 3.8.7 ships from writing a reset code (ESC[0m) to stdout and stderr
# when it starts and stops, which it does even with colours off. On a terminal Maven keeps its defaults.
maven() {
  if [[ -t 1 && -t 2 ]]; then
    mvn "$@"
  else
    MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }-Djansi.noreset=true" mvn -Dstyle.color=never "$@"
  fi
}
