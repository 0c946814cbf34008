#!/usr/bin/env bash
# Runs the wordcount example end to end on a fresh embedded log and prints the final counts.
# Usage: bash examples/wordcount/run.sh [data-dir]   (default: a new temporary directory)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -ge 1 ]; then
  DATA_DIR="$1"
else
  DATA_DIR="$(mktemp -d -t kstream-wordcount-XXXXXX)"
  trap 'rm -rf "$DATA_DIR"' EXIT   # a data dir of our own: removed when done
fi
kstream() { node bin/kstream.js "$@" --data-dir "$DATA_DIR"; }

printf 'all streams lead to kafka\nhello kafka streams\njoin kafka summit\n' | kstream produce streams-plaintext-input
kstream run examples/wordcount/wordcount.ts --until-idle
echo "--- streams-wordcount-output (word<TAB>count), latest count per word last:"
kstream consume streams-wordcount-output --from-beginning --print-key --value-format long --timeout-ms 500
