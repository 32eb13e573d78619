"""iMIP mail (RFC 6047) around an iTIP message, in the layout every client accepts.

shared ICAL.md rule 14:

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain; charset=utf-8
    │   ├── text/html; charset=utf-8
    │   └── text/calendar; charset=utf-8; method=REQUEST
    └── application/ics; name=invite.ics (attachment)

Outlook reads iMIP only from the first child of multipart/mixed; the MIME `method=` equals
METHOD in the body (rule 15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

# Bodies are encoded with SMTP's 78-character lines; headers are written on one line (RFC 5322
# allows 998): folding a subject next to an encoded word made recipients see a double space.
HEADERS_ON_ONE_LINE = SMTP.clone(max_line_length=998)


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who a mail is from and to, and how it is identified."""

    sender: tuple[str, str]  # (display name, address)
    recipient: tuple[str, str]
    subject: str
    message_id: str
    date: datetime
    reply_to: str | None = None


def build_mail(
    envelope: Envelope,
    text: str,
    html: str | None = None,
    calendar: bytes | None = None,
    method: str | None = None,
    filename: str = "invite",
) -> EmailMessage:
    """Return a complete message; with `calendar` it is an iMIP message for `method`.

    One iTIP object per message (RFC 5546 §3.2 allows one UID, and Outlook acts on the first
    VEVENT only, Gmail on the text/calendar part only): inline as text/calendar, and the same
    object as `invite.ics` (or `cancel.ics`) for clients that open attachments.
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = formataddr(envelope.sender)
    message["To"] = formataddr(envelope.recipient)
    message["Subject"] = envelope.subject
    message["Date"] = format_datetime(envelope.date)
    message["Message-ID"] = envelope.message_id
    if envelope.reply_to:
        message["Reply-To"] = envelope.reply_to
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8", cte=_encoding(text))
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte=_encoding(html))
    if calendar is not None:
        if method is None:
            raise ValueError("an iMIP message needs its iTIP method")
        body = calendar.decode("utf-8")
        message.add_alternative(
            body,
            subtype="calendar",
            charset="utf-8",
            cte=_encoding(body),
            params={"method": method},
        )
        message.make_mixed()
        name = f"{filename}.ics"
        message.add_attachment(
            calendar, maintype="application", subtype="ics", filename=name, params={"name": name}
        )
    return message


def _encoding(text: str) -> str:
    """7bit for ASCII, quoted-printable otherwise: safe through any relay, readable in source."""
    return "7bit" if text.isascii() else "quoted-printable"


def serialise(message: EmailMessage) -> str:
    """The message as stored and sent (CRLF line ends, unfolded headers)."""
    return message.as_string(policy=HEADERS_ON_ONE_LINE)
