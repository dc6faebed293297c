"""The WSGI entry point for gunicorn: ``gunicorn -c lms/gunicorn_conf.py`` (or ``lms serve``)."""

import sys

from lms import ConfigError, create_app

try:
    app = create_app()
except ConfigError as exc:
    # The message, not a traceback; exit code 3 is gunicorn's "worker failed to boot", which
    # stops the server instead of starting workers again and again.
    print(f"Cannot start: {exc}", file=sys.stderr, flush=True)
    sys.exit(3)
