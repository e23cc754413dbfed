#!/bin/bash
# perf-run.sh <outdir> [bench args...], from the repo root: a bench/peers run with `perf record` (software
# clock, 2 kHz, call graphs) attached to the gateway and the diagnostic worker from the measured part ("end to
# end" / "no-op submits" on stderr) to the run's end: <outdir>/perf-gateway, <outdir>/perf-diagnostic. Then
#   bash bench/peers/profile/perf-kinds.sh <outdir>/perf-gateway    # the process's CPU by kind (compiler, ICs, JIT code, kernel, ...)
# perf sees what V8's own profiler does not: the optimizing compiler's threads, the kernel, node's C++.
set -u
out=$(realpath -m "$1"); shift
rm -rf "$out"; mkdir -p "$out"
repo=$(pwd)
source deploy/local/lib.sh && export_env
set +e
pnpm -s bench:peers "$@" > "$out/result.json" 2> "$out/err" &
pid=$!
until grep -q "end to end\|no-op submits" "$out/err" 2>/dev/null; do sleep 0.3; kill -0 $pid 2>/dev/null || break; done
recorders=""
for p in $(pgrep node); do
  case "$(readlink /proc/$p/cwd 2>/dev/null)" in
    "$repo/services/gateway"|"$repo/services/diagnostic")
      perf record -e cpu-clock -F 2000 -g -p "$p" -o "$out/perf-$(basename "$(readlink /proc/$p/cwd)")" >/dev/null 2>&1 &
      recorders="$recorders $!" ;;
  esac
done
wait $pid
for r in $recorders; do kill -INT "$r" 2>/dev/null; done
sleep 2
tail -14 "$out/err"
