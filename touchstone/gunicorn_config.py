"""gunicorn's settings for production: `gunicorn -c python:touchstone.gunicorn_config touchstone.wsgi`.

Each knob comes from the environment (docs/deploy.md). On SIGTERM gunicorn stops accepting connections and each
worker finishes the requests it holds, for up to GRACEFUL_TIMEOUT seconds, before it exits.
"""

import os

from touchstone.core.logs import logging_config

# Production reads the environment only: a development .env.local (DEBUG=true) left beside the code is ignored.
os.environ.setdefault("TOUCHSTONE_ENV_FILE", "")

bind = [os.environ.get("BIND", "0.0.0.0:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Workers are replaced after this many requests (with some jitter), so a slow leak can never grow for ever.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Logs: the same redacting handler and JSON lines as Django's (LOG_FORMAT), access lines included.
logger_class = "touchstone.core.redaction.GunicornLogger"
_debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
logconfig_dict = logging_config(
    os.environ.get("LOG_LEVEL", "INFO"),
    structured=os.environ.get("LOG_FORMAT", "text" if _debug else "json") == "json",
)
accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"
