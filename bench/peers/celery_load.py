"""Sends N no-op Celery tasks as fast as one client can and prints {"sent", "seconds", "cpuSeconds"} as JSON (its own CPU: it exits before the benchmark reads /proc)."""
import json
import sys
import time

from celery_app import noop

n = int(sys.argv[1])
start = time.monotonic()
for _ in range(n):
    noop.apply_async()
print(json.dumps({"sent": n, "seconds": time.monotonic() - start, "cpuSeconds": time.process_time()}))
