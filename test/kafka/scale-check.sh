#!/usr/bin/env bash
# The Kafka backend's acceptance check, end to end with the real CLI:
#
#   1. `npx kstream local kafka start` (a broker on 127.0.0.1:$PORT; stopped again at the end if
#      this script started it)
#   2. streams-plaintext-input with 4 partitions and $LINES random lines (kstream produce)
#   3. examples/wordcount/wordcount.ts with `--workers 2 --until-idle` under exactly_once; worker 0
#      is killed with SIGKILL $KILLS times while the input is partly processed (the supervisor
#      restarts it; its tasks move to the other worker meanwhile)
#   4. streams-wordcount-output read with kcat in read_committed mode: the last count of every
#      word is exact and every word's counts strictly increase
#   5. internal topics streams-wordcount-counts-store-changelog / -repartition exist; the group
#      streams-wordcount is described by Kafka's own AdminClient (java, the broker's jars)
#
# Usage: test/kafka/scale-check.sh            (env: LINES=100000 KILLS=2 PORT=9092 KAFKA_VERSION=3.9.2)
# Needs: node 20, java 17+, kcat; the first start of a Kafka version also needs mvn (jars).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
LINES=${LINES:-100000}
KILLS=${KILLS:-2}
PORT=${PORT:-9092}
KAFKA_VERSION=${KAFKA_VERSION:-}
BROKERS=127.0.0.1:$PORT
APP=streams-wordcount
IN=streams-plaintext-input
OUT=streams-wordcount-output
WORK=$(mktemp -d -t kstream-scale-check-XXXXXX)
SUP=
STARTED_BROKER=0

log() { printf '[scale-check] %s\n' "$*" >&2; }
kstream() { node "$ROOT/bin/kstream.js" "$@"; }
cleanup() {
  if [ -n "$SUP" ] && kill -0 "$SUP" 2>/dev/null; then kill -TERM "$SUP" 2>/dev/null || true; sleep 2; kill -KILL "$SUP" 2>/dev/null || true; fi
  pkill -KILL -P "$SUP" 2>/dev/null || true
  if [ "$STARTED_BROKER" = 1 ]; then kstream local kafka stop --port "$PORT" >&2 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f dist/cli/main.js ] || npm run build >&2
command -v kcat >/dev/null || { log 'kcat is missing (apt-get install kcat, or .ci/install-kafka.sh)'; exit 2; }

# 1. the broker
if ! kstream local kafka status --port "$PORT" >/dev/null 2>&1; then STARTED_BROKER=1; fi
if [ -n "$KAFKA_VERSION" ]; then npx kstream local kafka start --port "$PORT" --kafka-version "$KAFKA_VERSION" >&2; else npx kstream local kafka start --port "$PORT" >&2; fi
VERSION=$(kstream local kafka status --port "$PORT" 2>&1 | sed -n 's/.*Kafka \([0-9][0-9.]*\).*/\1/p' | head -1)

# 2. fresh topics and input (a previous run's topics and their group offsets go away with them)
for t in "$IN" "$OUT" "$APP-counts-store-changelog" "$APP-counts-store-repartition"; do kstream topics delete "$t" --brokers "$BROKERS" 2>/dev/null || true; done
sleep 1
kstream topics create "$IN" --partitions 4 --brokers "$BROKERS" >&2
node test/kafka/tools/wordcount-check.mjs lines "$LINES" 7 > "$WORK/input.txt"
kstream produce "$IN" --brokers "$BROKERS" < "$WORK/input.txt"
WORDS=$(tr -cs 'A-Za-z0-9_' '\n' < "$WORK/input.txt" | grep -c .)

# 3. two workers under exactly_once, worker 0 killed with SIGKILL $KILLS times
log "running wordcount on Kafka ${VERSION:-?} at $BROKERS: $LINES lines ($WORDS words), --workers 2, exactly_once"
START=$(date +%s.%N)
KSTREAM_LOG_LEVEL=info kstream run examples/wordcount/wordcount.ts --brokers "$BROKERS" --workers 2 --until-idle --state-dir "$WORK/state" > "$WORK/run.log" 2>&1 &
SUP=$!
pid_of_worker0() { sed -n 's/.*\[kstream\] worker 0 started (pid \([0-9]*\)).*/\1/p' "$WORK/run.log" | tail -1; }
committed() { node test/kafka/tools/wordcount-check.mjs committed "$BROKERS" "$APP" "$IN" 2>/dev/null || echo 0; }
for k in $(seq 1 "$KILLS"); do
  # kill once a further share of the input is committed, so that every kill lands mid-stream
  target=$(( LINES * k / (KILLS + 2) ))
  while kill -0 "$SUP" 2>/dev/null && [ "$(committed)" -lt "$target" ]; do sleep 0.2; done
  kill -0 "$SUP" 2>/dev/null || { log "the run ended before kill $k"; break; }
  pid=$(pid_of_worker0)
  done_before=$(committed)
  kill -KILL "$pid"
  log "kill $k: SIGKILL to worker 0 (pid $pid) with $done_before of $LINES input lines committed"
  while ! grep -q "worker 0 started (pid [0-9]*), restart $k" "$WORK/run.log"; do kill -0 "$SUP" 2>/dev/null || break; sleep 0.2; done
done
set +e
wait "$SUP"
CODE=$?
set -e
SUP=
END=$(date +%s.%N)
ELAPSED=$(echo "$END - $START" | bc)
if [ "$CODE" != 0 ]; then log "kstream run exited with $CODE:"; tail -50 "$WORK/run.log" >&2; exit 1; fi
log "store restores: $(grep -c 'restored [0-9]* records' "$WORK/run.log" || true), rebalances seen: $(grep -c 'generation [0-9]*, member' "$WORK/run.log" || true)"
grep -E 'was killed|restarting|could not commit|closing as lost' "$WORK/run.log" | sed 's/^/[scale-check]   /' >&2 || true

# 4. read the output with kcat, read_committed, and compare
kcat -b "$BROKERS" -C -t "$OUT" -o beginning -e -q -f '%k\t%s\n' -s value=Q -X isolation.level=read_committed > "$WORK/output.tsv"
node test/kafka/tools/wordcount-check.mjs verify "$WORK/input.txt" "$WORK/output.tsv" >&2

# 5. names and the group, as Kafka's tooling sees them
for suffix in counts-store-changelog counts-store-repartition; do
  kcat -b "$BROKERS" -L -t "$APP-$suffix" | grep -q "topic \"$APP-$suffix\" with" || { log "internal topic $APP-$suffix is missing"; exit 1; }
  log "internal topic: $(kcat -b "$BROKERS" -L -t "$APP-$suffix" | grep -o "topic \"$APP-$suffix\" with [0-9]* partitions")"
done
LIBS=${KSTREAM_CACHE_DIR:-$HOME/.cache/kstream}/kafka/${VERSION}/libs
if command -v java >/dev/null && [ -d "$LIBS" ]; then
  java -cp "$LIBS/*" test/kafka/tools/GroupInfo.java "$BROKERS" "$APP" "$IN" 2>/dev/null | sed 's/^/[scale-check] /' >&2
fi
printf '[scale-check] PASS: %s lines / %s words in %.1f s with %s SIGKILLs: %.0f lines/s, %.0f words/s (Kafka %s)\n' \
  "$LINES" "$WORDS" "$ELAPSED" "$KILLS" "$(echo "$LINES / $ELAPSED" | bc -l)" "$(echo "$WORDS / $ELAPSED" | bc -l)" "${VERSION:-?}" >&2
