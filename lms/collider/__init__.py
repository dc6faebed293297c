"""The CCI collider: cooperation profiles, challenges and offers, suggestions, matchmaking."""

from flask import Blueprint

bp = Blueprint("collider", __name__, template_folder="templates", url_prefix="/collider")
