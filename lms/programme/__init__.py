"""The programme as a whole: public events, the overview and the indicator report."""

from flask import Blueprint

bp = Blueprint("programme", __name__, template_folder="templates")
