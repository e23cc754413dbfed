#!/bin/bash
# profile-run.sh <outdir> [bench args...], from the repo root: a bench/peers run with a CPU profile of every
# service process and of the bench runner (the load generator), started at the measured part ("end to end" /
# "no-op submits" or "CPU-bound tasks" in its log) and written on exit as <outdir>/<service>-<pid>.cpuprofile. Then:
#   node bench/peers/profile/summary.cjs <file> [N]      self time by package and function, inclusive time
#   node bench/peers/profile/categories.cjs <file>       busy time split by what it was spent in
# Samples are wall-clock: on a loaded machine many are waits for a core (preempted after a write that wakes a
# peer), so compare shares between runs of the same load, and judge a change by alternating bench runs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "$1"); shift
rm -rf "$out"; mkdir -p "$out"
source deploy/local/lib.sh && export_env
echo "load before: $(cat /proc/loadavg)" > "$out/load"
NODE_OPTIONS="--require $here/cpu-profile.cjs" PROF_DIR="$out" pnpm -s bench:peers "$@" > "$out/result.json" 2> "$out/err" &
pid=$!
until grep -q "end to end\|no-op submits\|CPU-bound tasks" "$out/err" 2>/dev/null; do sleep 0.5; kill -0 $pid 2>/dev/null || break; done
touch "$out/START"
wait $pid
echo "load after: $(cat /proc/loadavg)" >> "$out/load"
tail -14 "$out/err"
