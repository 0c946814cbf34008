// Node flags of the benchmarks' processes, as bin/kstream.js's shebang sets them for `kstream`:
// a 64 MB young generation (short-lived records die young: +10-15% throughput on wordcount) and an
// old generation that grows by 25% over what survived the last full GC instead of V8's default of
// up to 4x on a large machine (peak RSS of the Kafka wordcount: 1,164 MB → see bench/RESULTS.md).
export const NODE_FLAGS = ['--max-semi-space-size=64', '--heap-growing-percent=25'];
