"""Delivering stored mails: over SMTP (host, port, STARTTLS or SSL, login), or into
instance/outbox/ as .eml files in development."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any, Protocol


class SendError(Exception):
    """A mail was not delivered.

    `outage`: the server could not be reached or would not talk to us at all; the mail is not
    to blame and waits without using up attempts. `permanent`: the server refused this mail for
    good (5xx); retrying will not help.
    """

    def __init__(self, message: str, *, outage: bool = False, permanent: bool = False) -> None:
        super().__init__(message)
        self.outage = outage
        self.permanent = permanent


class Transport(Protocol):
    """Something that delivers raw messages; used as a context manager per batch."""

    def __enter__(self) -> Transport: ...

    def __exit__(self, *exc: object) -> None: ...

    def send(self, raw: str, recipient: str, message_id: str) -> None: ...


class FileTransport:
    """Writes each mail to `folder/<message-id>.eml` (opens in any mail client)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __enter__(self) -> FileTransport:
        os.makedirs(self.folder, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, raw: str, recipient: str, message_id: str) -> None:
        name = "".join(ch for ch in message_id if ch.isalnum() or ch in "-_.@") or "mail"
        path = os.path.join(self.folder, f"{name}.eml")
        temporary = f"{path}.tmp"
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            handle.write(raw)
        os.replace(temporary, path)


class SmtpTransport:
    """One SMTP connection per batch; each mail its own SMTP transaction."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        envelope_from: str = "",
    ) -> None:
        if security not in {"starttls", "ssl", "none"}:
            raise ValueError("MAIL_SMTP_SECURITY is starttls, ssl or none")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.timeout = timeout
        self.envelope_from = envelope_from
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        try:
            if self.security == "ssl":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    connection.starttls(context=ssl.create_default_context())
            if self.username:
                connection.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as error:
            raise SendError(
                f"cannot reach {self.host}:{self.port}: {error}", outage=True
            ) from error
        return connection

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None

    def send(self, raw: str, recipient: str, message_id: str) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.sendmail(self.envelope_from, [recipient], raw.encode("utf-8"))
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise SendError(f"{code} {text!r}", permanent=code >= 500) from error
        except smtplib.SMTPServerDisconnected as error:
            self.connection = None
            raise SendError(f"connection lost: {error}", outage=True) from error
        except smtplib.SMTPResponseException as error:
            # A refusal of this mail (SMTPDataError, SMTPSenderRefused, …): 5xx is final.
            self.close()
            raise SendError(
                f"{error.smtp_code} {error.smtp_error!r}", permanent=error.smtp_code >= 500
            ) from error
        except smtplib.SMTPException as error:
            self.close()
            raise SendError(str(error)) from error
        except OSError as error:
            # SMTPException is an OSError too, so this comes last: a network failure.
            self.connection = None
            raise SendError(f"connection lost: {error}", outage=True) from error


def make_transport(config: Mapping[str, Any], instance_path: str) -> Transport:
    """SMTP when MAIL_SMTP_HOST is set, else .eml files in instance/outbox/."""
    host = config.get("MAIL_SMTP_HOST")
    if not host:
        return FileTransport(os.path.join(instance_path, "outbox"))
    return SmtpTransport(
        str(host),
        int(config["MAIL_SMTP_PORT"]),
        security=str(config["MAIL_SMTP_SECURITY"]),
        username=config.get("MAIL_SMTP_USERNAME"),
        password=config.get("MAIL_SMTP_PASSWORD"),
        timeout=float(config["MAIL_SMTP_TIMEOUT"]),
        envelope_from=parseaddr(str(config["MAIL_FROM"]))[1],
    )
