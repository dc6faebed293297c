"""The catalogue, course pages, module pages and their assets."""

from flask import Blueprint

bp = Blueprint("courses", __name__, template_folder="templates")
