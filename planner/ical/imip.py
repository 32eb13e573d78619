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

from collections.abc import Sequence
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
    calendars: Sequence[bytes] = (),
    method: str | None = None,
    filename: str = "invite",
) -> EmailMessage:
    """Return a complete message; with `calendars` it is an iMIP message for `method`.

    iTIP allows one UID per message (RFC 5546 §3.2), so a mail about several meetings carries
    one iTIP object per meeting: the first inline (what Outlook and Gmail act on at once) and
    every one as an .ics attachment (`invite.ics`, or `invite-1.ics`, `invite-2.ics`, …) that
    any client adds or updates with one click.
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
    if calendars:
        if method is None:
            raise ValueError("an iMIP message needs its iTIP method")
        body = calendars[0].decode("utf-8")
        message.add_alternative(
            body,
            subtype="calendar",
            charset="utf-8",
            cte=_encoding(body),
            params={"method": method},
        )
        message.make_mixed()
        for index, calendar in enumerate(calendars, start=1):
            name = f"{filename}.ics" if len(calendars) == 1 else f"{filename}-{index}.ics"
            message.add_attachment(
                calendar,
                maintype="application",
                subtype="ics",
                filename=name,
                params={"name": name},
            )
    return message


def _encoding(text: str) -> str:
    """7bit for ASCII, quoted-printable otherwise: safe through any relay, readable in source."""
    return "7bit" if text.isascii() else "quoted-printable"


def serialise(message: EmailMessage) -> str:
    """The message as stored and sent (CRLF line ends, unfolded headers)."""
    return message.as_string(policy=HEADERS_ON_ONE_LINE)
