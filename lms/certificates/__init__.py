"""Certificates for completed courses, verifiable by anyone at ``/verify/<code>``."""

from flask import Blueprint

from lms.certificates import receivers  # noqa: F401  (subscribes to progress and content)

bp = Blueprint("certificates", __name__, template_folder="templates")
