"""Facilitation: cohorts, the facilitator dashboard, face-to-face meetings and attendance."""

from flask import Blueprint

bp = Blueprint("cohorts", __name__, template_folder="templates")
