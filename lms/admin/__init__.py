"""Administration: user accounts (role, status) and the audit log. Admins only."""

from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")
