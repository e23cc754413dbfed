"""Sends N no-op Celery tasks as fast as one client can and prints {"sent", "seconds", "cpuSeconds"} as JSON (its
own CPU: it exits before the benchmark reads /proc). It imports Celery and connects first, prints "ready" and
waits for a line on stdin: the measured run starts at that line, as Taskyard's starts with its clients connected
(Python's start and Celery's import took 0.3-0.5 s of CPU and more of wall time, which the run counted)."""
import json
import sys
import time

from celery_app import app, noop

n = int(sys.argv[1])
with app.producer_or_acquire() as producer:
    producer.connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.monotonic()
    cpu = time.process_time()
    for _ in range(n):
        noop.apply_async(producer=producer)
    print(json.dumps({"sent": n, "seconds": time.monotonic() - start, "cpuSeconds": time.process_time() - cpu}), flush=True)
