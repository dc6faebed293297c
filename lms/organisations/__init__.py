"""Organisations: the programme's partners and the organisations people and events belong to."""

from flask import Blueprint

bp = Blueprint("organisations", __name__, template_folder="templates")
