"""gunicorn settings (read from the working directory: `gunicorn ucmsc_crf.wsgi`).

gthread workers, not sync: the analysis download streams for as long as the client takes to read it, and a
sync worker would be killed by the timeout mid-download (and would block every other user meanwhile). In a
gthread worker the request runs in a thread while the worker keeps answering the arbiter's heartbeat."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# The heartbeat limit for a silent worker, not a limit on a request's length under gthread.
timeout = 60
graceful_timeout = 30
