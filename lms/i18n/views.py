"""The language switcher in every page's footer."""

from flask import current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.services import safe_next
from lms.errors import render_error
from lms.extensions import db
from lms.i18n import bp
from lms.i18n.services import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, ui_languages


@bp.route("/language", methods=["POST"])
def switch():
    """Remember the language (cookie; and the account, when signed in) and go back."""
    code = request.form.get("language", "")
    if code not in ui_languages():
        return render_error(400, _("We do not offer that language yet."))
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")) or url_for("courses.catalogue"))
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.app_context_processor
def _languages_for_templates():
    from lms.i18n.services import chosen_language

    return {"ui_languages": ui_languages, "current_language": chosen_language}


@bp.after_app_request
def _vary_on_language(response):
    """Pages differ by language: caches must key them on what chooses it."""
    if request.endpoint not in ("static", "static_fingerprinted"):
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response
