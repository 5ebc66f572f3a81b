"""Sending the outbox's emails over SMTP (the standard library's client)."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from api.models import OutboxMessage
from api.settings import Settings


def message_id(message: OutboxMessage) -> str:
    """The same Message-ID on every attempt, so a message sent twice is known as one."""
    return f"<{message.key}@assure>"


def as_email(message: OutboxMessage, *, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message_id(message) if message.key else make_msgid()
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    email.set_content(message.body)
    return email


class SmtpMailer:
    """One connection for a batch of messages, opened on first use and closed at the end."""

    def __init__(self, settings: Settings):
        assert settings.smtp_host, "a mailer needs ASSURE_SMTP_HOST"
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        assert s.smtp_host
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if s.smtp_security == "tls":
            client = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=context
            )
        else:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
            if s.smtp_security == "starttls":
                client.starttls(context=context)
        if s.smtp_username:
            client.login(s.smtp_username, s.smtp_password or "")
        return client

    def send(self, message: OutboxMessage) -> None:  # no HTTP status to tell
        if self._client is None:
            self._client = self._connect()
        try:
            self._client.send_message(as_email(message, sender=self.settings.mail_from))
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # the server refused this message; the connection is still good
        except OSError:
            self.close()  # the next message opens a fresh connection
            raise

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
