"""The learner's certificate page and the public verification page."""

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.certificates import bp
from lms.certificates.services import (
    by_code,
    certificate_for,
    certificates_of,
    load_certificate_or_404,
    normalise_code,
)

# Pages of lower features (course page, quiz result, My learning) show certificates through
# these template globals, so their views never import certificates.
bp.add_app_template_global(certificate_for, "certificate_for")
bp.add_app_template_global(certificates_of, "certificates_of")


@bp.route("/certificates/<code>")
@login_required
def certificate(code: str):
    """The printable certificate, for its holder (and admins)."""
    cert = load_certificate_or_404(code, current_user)
    verify_url = url_for("certificates.verify", code=cert.code, _external=True)
    return render_template("certificates/certificate.html", cert=cert, verify_url=verify_url)


@bp.route("/verify", methods=["GET"])
def verify_form():
    """Type a code to check a certificate."""
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("certificates.verify", code=normalise_code(code)[:40]))
    return render_template("certificates/verify_form.html")


@bp.route("/verify/<code>")
def verify(code: str):
    """Public: confirms a certificate without signing in, and shows nothing else."""
    cert = by_code(code)
    if cert is None:
        return render_template("certificates/verify.html", cert=None, code=code[:40]), 404
    if cert.withdrawn_at is not None:
        # The holder deleted their account: say so, and show nothing about them.
        page = render_template(
            "certificates/verify.html", cert=None, withdrawn=True, code=cert.code
        )
        return page, 410
    return render_template("certificates/verify.html", cert=cert, code=cert.code)
