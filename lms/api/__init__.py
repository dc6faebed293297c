"""A small JSON API for integrations, and the operators' health check."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from lms.api import views  # noqa: E402,F401 - registers the routes
