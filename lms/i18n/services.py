"""Which UI language a request gets. No request writes here; views do that."""

from flask import current_app, has_request_context, request
from flask_login import current_user

#: Anonymous visitors' choice from the switcher (signed-in people keep it in ``User.locale``).
LANGUAGE_COOKIE = "lms_language"
#: A year: the choice should outlive the browser session.
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
#: Babel locales for codes that need a region: British English writes dates the European way.
BABEL_LOCALES = {"en": "en_GB"}


def ui_languages() -> dict[str, str]:
    """Codes and names (each in its own language) of the languages the UI is offered in."""
    return current_app.config["LMS_LANGUAGES"]


def chosen_language() -> str:
    """The saved setting, else the switcher's cookie, else ``Accept-Language``, else English."""
    languages = ui_languages()
    if not has_request_context():
        return "en"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(list(languages)) or "en"


def select_locale() -> str:
    """Flask-Babel's locale selector: the chosen language as a Babel locale."""
    code = chosen_language()
    return BABEL_LOCALES.get(code, code)
