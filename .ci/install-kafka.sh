#!/usr/bin/env bash
# Prepares a machine for the real-Kafka tests (test/kafka): kcat from apt, java and mvn if missing, and the broker
# jars of the test Kafka version in the kstream cache (same code path as `kstream local kafka start`).
# Idempotent: a second run does nothing but check. Needs the repo's node_modules (npm ci) for the jar prefetch.
#
#   .ci/install-kafka.sh                 # the version of $KSTREAM_TEST_KAFKA_VERSION, else kstream's default
#   .ci/install-kafka.sh 3.9.2 4.4.0     # these versions
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-kafka: missing ${missing[*]} and no apt-get on this machine: install them with its package manager" >&2
    exit 1
  fi
  if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then
    echo "install-kafka: missing ${missing[*]}: not root and no sudo; as root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "install-kafka: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

java_major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
if [ -n "$java_major" ] && [ "$java_major" -lt 17 ]; then
  echo "install-kafka: java $java_major found; Kafka 4.x brokers need java 17+ (3.9 needs 11+)" >&2
fi

if [ ! -x node_modules/.bin/tsx ]; then
  echo "install-kafka: node_modules/.bin/tsx missing: run npm ci first" >&2
  exit 1
fi
# bounded: Maven gets 15 minutes per step inside prefetch; this is a backstop
timeout 1800 node_modules/.bin/tsx src/kafka-local/prefetch.ts "$@"
echo "install-kafka: kcat $(kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\).*/\1/p'), $(java -version 2>&1 | head -1), Kafka jars and schema registry cached" >&2
