"""The WSGI entry point for gunicorn: ``gunicorn -c lms/gunicorn_conf.py`` (or ``lms serve``)."""

from lms import create_app

app = create_app()
