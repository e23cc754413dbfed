"""The Celery side of bench/peers: no-op and CPU-bound tasks, with the settings the issue compares against
(threads pool and concurrency 16 on the worker's command line; acks_late; MongoDB result backend)."""
import os
import time

from celery import Celery

app = Celery("peers", broker=os.environ["PEERS_BROKER_URL"], backend=os.environ["PEERS_BACKEND_URL"])
app.conf.update(
    task_acks_late=True,
    task_default_queue=os.environ.get("PEERS_QUEUE", "peers-celery"),
    mongodb_backend_settings={"database": os.environ["PEERS_DATABASE"], "taskmeta_collection": "celery_taskmeta"},
    worker_hijack_root_logger=False,
)


@app.task(name="noop")
def noop():
    return None


@app.task(name="spin")
def spin(ms):
    until = time.process_time() + ms / 1000
    n = 0
    while time.process_time() < until:
        n += 1
    return n
