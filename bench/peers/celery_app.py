"""The Celery side of bench/peers: no-op and CPU-bound tasks, with the settings the issue compares against
(threads pool and concurrency 16 on the worker's command line; acks_late; MongoDB result backend)."""
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from celery import Celery
from celery.signals import task_success, worker_ready

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


# Tasks whose result is stored, counted in the worker: Celery sends task_success after the backend's
# mark_as_done (celery/app/trace.py). The bench reads it as it reads Taskyard's status service's counter;
# counting the results in the database instead (countDocuments, 10 times a second) made FerretDB read the
# whole, growing collection each time, at Celery's expense.
_finished = 0
_finished_lock = threading.Lock()


@task_success.connect
def _count_finished(**_kwargs):
    global _finished
    with _finished_lock:
        _finished += 1


class _FinishedCount(BaseHTTPRequestHandler):
    def do_GET(self):
        body = str(_finished).encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):
        pass


@worker_ready.connect
def _serve_finished_count(**_kwargs):
    port = os.environ.get("PEERS_COUNTER_PORT")
    if port:
        server = ThreadingHTTPServer(("127.0.0.1", int(port)), _FinishedCount)
        threading.Thread(target=server.serve_forever, daemon=True).start()
