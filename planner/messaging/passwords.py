"""Password links: signed, time-limited and single-use (they carry part of the old hash), sent
by mail for a reset or a new account's first password. The services decide that a link goes
out (events `account.opened` and `password_link.requested`); the handlers here write it."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from planner.clock import utcnow
from planner.config import link_base_url
from planner.events import AccountOpened, EventKind, PersonRef
from planner.messaging.composer import Composer
from planner.messaging.content import Block, Content, digest_key
from planner.messaging.registry import Context, handles
from planner.models import Person
from planner.services.accounts import PENDING

RESET_SALT = "planner.password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def password_link(person: Person) -> str:
    """A link to set a new password; it stops working once the password has changed."""
    token = _serializer().dumps({"p": person.id, "f": _password_state(person)})
    return f"{link_base_url()}/password/reset/{token}"


def _password_state(person: Person) -> str:
    # Part of the old hash: a used link (the hash changed) or an old one cannot be used again.
    return (person.password_hash or "none")[-12:]


def person_of_link(session: Session, token: str) -> Person | None:
    """The person a valid link is for: a new account's link lasts ACCOUNT_INVITE_DAYS, a reset
    link (the account has a password) PASSWORD_RESET_HOURS; None when forged, used or expired."""
    config = current_app.config
    try:
        data, signed_at = _serializer().loads(
            token, max_age=int(config["ACCOUNT_INVITE_DAYS"]) * 86400, return_timestamp=True
        )
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        return None
    person = session.get(Person, data["p"])
    if person is None or _password_state(person) != data.get("f"):
        return None
    age = int((utcnow() - signed_at).total_seconds())
    if person.password_hash != PENDING and age > int(config["PASSWORD_RESET_HOURS"]) * 3600:
        return None
    return person


def queue_password_mail(composer: Composer, key: str, person: Person, *, welcome: bool) -> None:
    """Queue the mail with a password link: a reset, or the welcome of a new account."""
    link = password_link(person)
    with force_locale(person.language):
        if welcome:
            hours = int(current_app.config["ACCOUNT_INVITE_DAYS"]) * 24
            subject = gettext("Your account for the planner")
            intro = [
                gettext("An account for the planner has been made for you."),
                gettext(
                    "Choose your password with the link below (valid for %(hours)d hours).",
                    hours=hours,
                ),
            ]
        else:
            hours = int(current_app.config["PASSWORD_RESET_HOURS"])
            subject = gettext("Set a new password for the planner")
            intro = [
                gettext("Someone (we hope you) asked for a new password for the planner."),
                gettext(
                    "Choose your new password with the link below (valid for %(hours)d hours).",
                    hours=hours,
                ),
            ]
        content = Content(
            subject,
            gettext("Dear %(name)s,", name=person.name),
            intro,
            [Block(gettext("New password"), links=[(gettext("Choose a password"), link)])],
            [gettext("Did you not ask for this? Then ignore this mail: nothing changes.")],
        )
    composer.notice(key, person, content)


@handles(EventKind.ACCOUNT_OPENED)
def _account_opened(ctx: Context, payload: AccountOpened) -> None:
    person = ctx.session.get(Person, payload.person_id)
    if payload.welcome_mail and person is not None and person.password_hash == PENDING:
        queue_password_mail(
            ctx.composer, digest_key("password", person.id, ctx.event.id), person, welcome=True
        )


@handles(EventKind.PASSWORD_LINK_REQUESTED)
def _password_link(ctx: Context, payload: PersonRef) -> None:
    person = ctx.session.get(Person, payload.person_id)
    if person is not None and person.password_hash is not None:
        queue_password_mail(
            ctx.composer,
            digest_key("password", person.id, ctx.event.id),
            person,
            welcome=person.password_hash == PENDING,
        )
