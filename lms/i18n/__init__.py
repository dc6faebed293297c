"""The UI's languages: choosing one per request, the switcher, and the catalogues' health."""

from flask import Blueprint

bp = Blueprint("i18n", __name__)
