#!/usr/bin/env bash
# Runs the wordcount example end to end on a fresh embedded log and prints the final counts.
# Usage: bash examples/wordcount/run.sh [data-dir]   (default: a new temporary directory)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA_DIR="${1:-$(mktemp -d -t kstream-wordcount-XXXXXX)}"
kstream() { node bin/kstream.js "$@" --data-dir "$DATA_DIR"; }

printf 'all streams lead to kafka\nhello kafka streams\njoin kafka summit\n' | kstream produce streams-plaintext-input
kstream run examples/wordcount/wordcount.ts --until-idle
echo "--- streams-wordcount-output (word<TAB>count), latest count per word last:"
kstream consume streams-wordcount-output --from-beginning --print-key --value-format long --timeout-ms 500
