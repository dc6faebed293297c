"""Sending email through the SMTP server in ``LMS_MAIL_*``; logged instead when none is set."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def mail_configured() -> bool:
    return bool(current_app.config.get("LMS_MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; ``False`` (and a log line) when it could not be sent."""
    config = current_app.config
    if not mail_configured():
        log.info("mail not configured; would send %r to %s", subject, to)
        return False
    message = EmailMessage()
    message["From"] = config["LMS_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(
            config["LMS_MAIL_SERVER"], int(config["LMS_MAIL_PORT"]), timeout=10
        ) as smtp:
            if config.get("LMS_MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("LMS_MAIL_USERNAME"):
                smtp.login(config["LMS_MAIL_USERNAME"], config.get("LMS_MAIL_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("could not send %r to %s: %s", subject, to, exc)
        return False
    return True


def send_mail_in_background(to: str, subject: str, body: str):
    """Send without making the request wait for the SMTP server; returns the thread."""
    import threading

    app = current_app._get_current_object()

    def deliver():
        with app.app_context():
            send_mail(to, subject, body)

    thread = threading.Thread(target=deliver, name="lms-mail", daemon=True)
    thread.start()
    return thread
