"""Pages of the notifications feature."""

from flask import abort

from lms.extensions import csrf
from lms.notifications import bp
from lms.notifications.kinds import KINDS
from lms.notifications.unsubscribe import read_unsubscribe_token


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" without a session
def unsubscribe(token: str):
    """Turn one kind of email off for the person in the signed token; no sign-in needed."""
    # Skeleton: the preferences helper completes this page (confirmation GET, one-click POST).
    found = read_unsubscribe_token(token)
    if found is None or found[1] not in KINDS:
        abort(404)
    abort(501)
