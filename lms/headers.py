"""Security headers on every response (a few lines of our own instead of Flask-Talisman)."""

from flask import request

#: Scripts and styles only from our own files: no inline script, style or event handler runs.
#: Images may be ``data:`` URLs (small icons in CSS). A view may set its own, stricter policy
#: (content SVGs do) and keeps it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)
#: Sent over HTTPS only (``request.is_secure`` sees the proxy's scheme with LMS_TRUSTED_PROXIES).
HSTS = "max-age=31536000; includeSubDomains"


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    _personal_data_is_not_cached(response)
    return response


def _personal_data_is_not_cached(response) -> None:
    """Signed-in pages, the API and CSV downloads hold personal data: ``no-store``, so no
    shared cache or back button on a shared computer shows them to the next person."""
    from flask_login import current_user

    if request.endpoint in ("static", "static_fingerprinted"):
        return
    signed_in = bool(getattr(current_user, "is_authenticated", False))
    personal = (
        signed_in
        or request.path.startswith("/api/")
        or response.mimetype in ("text/csv", "application/zip", "application/json")
    )
    if personal and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store, private"


def init_security_headers(app) -> None:
    app.after_request(set_security_headers)
