"""Certificates for completed courses, verifiable by anyone at ``/verify/<code>``."""

from flask import Blueprint

bp = Blueprint("certificates", __name__, template_folder="templates")
