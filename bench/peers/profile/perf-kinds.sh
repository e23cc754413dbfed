#!/bin/bash
# perf-kinds.sh <perf.data>: the recorded process's CPU by kind, from its symbols (see perf-run.sh).
perf report -i "$1" --no-children --sort sym --stdio -g none 2>/dev/null | grep -E "^ +[0-9]" | awk '
{ p = $1; sub("%", "", p); s = $0; c = "the rest of node (builtins, libuv, C++)"
  if (s ~ /\[k\]/) c = "kernel"
  else if (s ~ /compiler::|Turbofan|Maglev|maglev|v8::internal::Compiler|OptimizedCompilationJob|PipelineImpl|InstructionSelector|RegisterAllocator|turboshaft/) c = "V8 optimizing compiler"
  else if (s ~ /Heap|GC|Scavenger|MarkCompact|Sweeper|Marking|Evacuat|ConcurrentMarking/) c = "garbage collector"
  else if (s ~ /Builtins_.*IC|LookupIterator|Runtime_/) c = "inline-cache misses, runtime slow paths"
  else if (s ~ /Builtins_Baseline|Interpreter|Bytecode|Ignition|Builtins_.*Handler/) c = "interpreter, baseline code"
  else if (s ~ /JIT|\[\.\] 0x|LazyCompile|\*/) c = "optimized (JIT) code"
  t[c] += p }
END { for (k in t) printf "%6.1f%%  %s\n", t[k], k }' | sort -rn
