"""A small JSON API for integrations, and the operators' health check."""

from flask import Blueprint

bp = Blueprint("api", __name__)
