"""Accounts: sign up, sign in, sign out, roles."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")
