"""Data rights: a person's data to download, account deletion, the privacy notice."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, template_folder="templates")
