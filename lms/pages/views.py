"""The accessibility statement (EN 301 549 and the EU Web Accessibility Directive ask for one)."""

from flask import current_app, render_template

from lms.pages import bp


@bp.route("/accessibility")
def accessibility():
    """What we aim for, how we test it, what is known not to work, and how to tell us."""
    return render_template(
        "pages/accessibility.html", contact_email=current_app.config["LMS_CONTACT_EMAIL"]
    )
