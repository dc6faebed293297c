"""Learner progress: completions, visits, "My learning"."""

from flask import Blueprint

bp = Blueprint("progress", __name__, template_folder="templates")

from lms.progress import views  # noqa: E402,F401 - registers the routes
