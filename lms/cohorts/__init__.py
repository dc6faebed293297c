"""Facilitation: cohorts, the facilitator dashboard, face-to-face meetings and attendance."""

from flask import Blueprint

from lms.cohorts import attendance  # noqa: F401  (adds the required sessions to certificates)

bp = Blueprint("cohorts", __name__, template_folder="templates")
