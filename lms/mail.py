"""The SMTP connection in ``LMS_MAIL_*``; without a server, messages are written to the log.

Nothing here is called from a request: views record messages in the outbox
(:func:`lms.notifications.notify`) and the worker (:mod:`lms.notifications.delivery`) sends
them through a transport from :func:`open_transport`.
"""

import logging
import smtplib
from email.message import Message

from flask import current_app

log = logging.getLogger(__name__)


def mail_configured() -> bool:
    return bool(current_app.config.get("LMS_MAIL_SERVER"))


def text_part(message: Message) -> str:
    """The plain-text part of a message (what the log and the tests show)."""
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            payload = part.get_payload(decode=True) or b""
            return payload.decode(part.get_content_charset() or "utf-8")
    return ""


class SmtpTransport:
    """One SMTP connection, opened on the first message and kept for the next ones."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        smtp = smtplib.SMTP(config["LMS_MAIL_SERVER"], int(config["LMS_MAIL_PORT"]), timeout=10)
        try:
            if config.get("LMS_MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("LMS_MAIL_USERNAME"):
                smtp.login(config["LMS_MAIL_USERNAME"], config.get("LMS_MAIL_PASSWORD", ""))
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: Message) -> None:
        """Hand one message to the server; raises ``OSError`` or ``smtplib.SMTPException``."""
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except (OSError, smtplib.SMTPServerDisconnected):
            self.close()
            raise
        except smtplib.SMTPException:
            # The server refused this message; the connection may serve the next one, but a
            # server in trouble is better met with a fresh connection.
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


class LogTransport:
    """No mail server: each message goes to the log and counts as sent. In development and
    testing the log shows the text with its links (``make run``'s console, as always); in
    production only the subject and recipient, since links may hold sign-in tokens."""

    def __init__(self, show_text: bool):
        self.show_text = show_text

    def send(self, message: Message) -> None:
        log.warning(
            "mail not configured (LMS_MAIL_SERVER); message to %s: %s%s",
            message["To"],
            message["Subject"],
            ("\n" + text_part(message)) if self.show_text else "",
        )

    def close(self) -> None:
        pass


def open_transport():
    """The transport the worker sends through: SMTP when configured, else the log."""
    if mail_configured():
        return SmtpTransport(current_app.config)
    return LogTransport(current_app.config["LMS_ENV"] in ("development", "testing"))
