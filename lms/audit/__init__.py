"""Audit log: security-relevant events (sign-ins, role changes, exports, deletions)."""

from flask import Blueprint

bp = Blueprint("audit", __name__, template_folder="templates")
