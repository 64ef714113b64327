#!/usr/bin/env bash
# The README's test command: every test tier (unit, Spark local, HDFS, browser, and after the jar is packaged,
# the standalone cluster). The browser test opens a run report in headless Chromium; Chromium comes from
# Debian's package when it is missing and this runs as root (as on CI), and the test is then required, so
# it cannot be skipped silently. Without Chromium and without root, it is skipped, and this says so.
# Extra arguments go to Maven, e.g. -DskipClusterTests or -Dtest.groups=unit.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$repo_root"
if ! command -v chromium > /dev/null 2>&1 && [[ $(id -u) == 0 ]] && command -v apt-get > /dev/null 2>&1; then
  echo "run-tests: installing Chromium for the browser test (apt-get install chromium)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
fi
browser=()
if command -v chromium > /dev/null 2>&1; then
  browser=(-Dbrowser.tests=required)
else
  echo "run-tests: no chromium on the PATH (and not root to install it): the browser test will be SKIPPED" >&2
fi
maven -B -ntp verify ${browser[@]+"${browser[@]}"} "$@"
