"""The catalogue, course pages, module pages and their assets."""

from flask import Blueprint

bp = Blueprint("courses", __name__, template_folder="templates")

from lms.courses import views  # noqa: E402,F401 - registers the routes
