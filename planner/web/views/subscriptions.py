"""The feeds page: every calendar feed a person may subscribe to, with their secret links.

A link's secret is stored only as a hash, so it can be shown once: right after it was made (or
renewed), carried in the session to the next page view and then forgotten. Everyone may manage
the links of what they may see: their own feed, the collaborations they coordinate and the
schools they administer (platform administrators: everything). Anything else is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from sqlalchemy.orm import Session

from planner.calendar_nl import REGIONS
from planner.clock import app_now
from planner.config import public_base_url
from planner.domain.kinds import FeedScope
from planner.domain.secrets import hash_secret
from planner.feeds import tokens as feeds
from planner.feeds.links import region_feed_url, subscribe_links
from planner.inputs import parse_id
from planner.models import (
    Collaboration,
    Feed,
    FeedToken,
    Organisation,
    Person,
)
from planner.presenters.feeds import token_url
from planner.services import accounts
from planner.text.formatting import format_moment
from planner.web.forms import ActionForm
from planner.web.forms.subscriptions import CreateLinkForm
from planner.web.requests import change, get_session, request_locale
from planner.web.security import login_required, require_person

bp = Blueprint("subscriptions", __name__)

# The session key that carries a new link's secret to the next page view, and only that one.
NEW_LINK = "planner.new_feed_link"
# The kinds of feed a link can be made for, as they appear in URLs.
KINDS = ("person", "collaboration", "blocked", "organisation")


# --- who may manage which feed ---------------------------------------------------------------


def _target(
    db: Session, me: Person, kind: str, target_id: int
) -> Person | Collaboration | Organisation:
    """What a feed of this kind and id shows, if `me` may manage its links; 404 otherwise."""
    found: Person | Collaboration | Organisation | None
    if kind == "person":
        found = db.get(Person, target_id)
    elif kind in ("collaboration", "blocked"):
        found = db.get(Collaboration, target_id)
    elif kind == "organisation":
        found = db.get(Organisation, target_id)
    else:
        found = None
    if found is None or not feeds.may_manage_target(db, me, found):
        abort(404)
    return found


def _managed_token(db: Session, me: Person, token_id: int) -> FeedToken:
    """A live link `me` may manage; 404 for anything else (another person's link, a revoked
    one, an unknown id), so nobody learns which links exist."""
    token = db.get(FeedToken, token_id)
    if token is None or token.revoked_at is not None or not feeds.may_manage(db, me, token.feed):
        abort(404)
    return token


# --- the page ---------------------------------------------------------------------------------


@dataclass
class FeedChoice:
    """One feed on the page: what it shows, its live links and the form for a new one."""

    kind: str
    target: int
    title: str
    description: str
    tokens: list[FeedToken]
    form: CreateLinkForm
    anchor: str = field(init=False)

    def __post_init__(self) -> None:
        self.anchor = f"feed-{self.kind}-{self.target}"


def _form(kind: str, target: int, me: Person, failed: CreateLinkForm | None) -> CreateLinkForm:
    prefix = f"{kind}-{target}-"
    if failed is not None and failed._prefix == prefix:
        return failed
    form = CreateLinkForm(prefix=prefix, formdata=None)
    form.language.data = me.language if me.language in feeds.LANGUAGES else request_locale()
    return form


def _choices(
    db: Session,
    me: Person,
    collabs: list[Collaboration],
    schools: list[Organisation],
    failed: CreateLinkForm | None,
) -> dict[str, list[FeedChoice]]:
    personal = [
        FeedChoice(
            "person",
            me.id,
            gettext("All my meetings"),
            gettext(
                "Every meeting of every collaboration you take part in, with the warnings"
                " when a collaboration's next meeting is too far away."
            ),
            feeds.list_tokens(db, person=me.id),
            _form("person", me.id, me, failed),
        )
    ]
    collaboration_choices = []
    for collab in collabs:
        tokens = feeds.list_tokens(db, collaboration=collab.id)
        collaboration_choices.append(
            FeedChoice(
                "collaboration",
                collab.id,
                collab.name,
                gettext("The meetings of this collaboration, for everyone who takes part."),
                [token for token in tokens if not token.feed.blocked_days],
                _form("collaboration", collab.id, me, failed),
            )
        )
        collaboration_choices.append(
            FeedChoice(
                "blocked",
                collab.id,
                gettext("%(name)s, with blocked days", name=collab.name),
                gettext(
                    "The meetings, and the days the members' holidays and busy periods block:"
                    " handy while choosing a date."
                ),
                [token for token in tokens if token.feed.blocked_days],
                _form("blocked", collab.id, me, failed),
            )
        )
    school_choices = [
        FeedChoice(
            "organisation",
            org.id,
            org.name,
            gettext("The school's holidays, days off and busy periods such as test weeks."),
            feeds.list_tokens(db, organisation=org.id),
            _form("organisation", org.id, me, failed),
        )
        for org in schools
    ]
    return {
        "personal": personal,
        "collaborations": collaboration_choices,
        "schools": school_choices,
    }


def _region_feeds(locale: str) -> list[dict[str, Any]]:
    """The public school holiday feeds, in the page's language."""
    return [
        {
            "region": region,
            "anchor": f"region-{region}",
            "links": subscribe_links(
                region_feed_url(public_base_url(), region, "en" if locale == "en" else "nl"),
                gettext("School holidays %(region)s", region=region),
            ),
        }
        for region in REGIONS
    ]


def _feed_title(db: Session, feed: Feed) -> str:
    name = feeds.target_name(db, feed)
    if feed.scope is FeedScope.PERSON:
        return str(gettext("All meetings of %(name)s", name=name))
    if feed.blocked_days:
        return str(gettext("%(name)s, with blocked days", name=name))
    return name


def _new_link(db: Session, me: Person) -> dict[str, Any] | None:
    """The link made on the previous request, shown this once."""
    carried = session.pop(NEW_LINK, None)
    if not isinstance(carried, dict):
        return None
    token_id, secret = carried.get("token"), carried.get("secret")
    token = db.get(FeedToken, token_id) if isinstance(token_id, int) else None
    if (
        token is None
        or not isinstance(secret, str)
        or token.token_hash != hash_secret(secret)
        or token.revoked_at is not None
        or not feeds.may_manage(db, me, token.feed)
    ):
        return None
    title = _feed_title(db, token.feed)
    return {
        "token": token,
        "title": title,
        "renewed": bool(carried.get("renewed")),
        "links": subscribe_links(token_url(secret), title),
    }


def _asked(db: Session, me: Person, kind: str) -> Any:
    """What ?collaboration=<id> or ?organisation=<id> asks to show too (404 if not `me`'s)."""
    raw = request.args.get(kind)
    if raw is None:
        return None
    ident = parse_id(raw)
    if ident is None:
        abort(404)
    return _target(db, me, kind, ident)


def _render(failed: CreateLinkForm | None = None, status: int = 200) -> tuple[str, int]:
    db = get_session()
    me = require_person()
    locale = request_locale()
    # Administrators too see only their own roles here (?collaboration= adds any other).
    collabs = accounts.coordinated_collaborations(db, me, every_for_admin=False)
    schools = accounts.administered_schools(db, me, every_for_admin=False)
    # Another page may link here for one collaboration or school (any, for an administrator).
    if (collab := _asked(db, me, "collaboration")) is not None and collab not in collabs:
        collabs.insert(0, collab)
    if (org := _asked(db, me, "organisation")) is not None and org not in schools:
        schools.insert(0, org)
    page = render_template(
        "subscriptions/index.html",
        new_link=_new_link(db, me) if failed is None else None,
        sections=_choices(db, me, collabs, schools, failed),
        regions=_region_feeds(locale),
        moment=lambda instant: format_moment(instant, locale),
    )
    return page, status


@bp.get("/subscriptions")
@login_required
def index() -> Any:
    """Every feed the logged-in person may subscribe to, with their links."""
    page, status = _render()
    response = make_response(page, status)
    # The page can carry a secret: never cached, never sent on as a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _remember(issued: feeds.IssuedToken, *, renewed: bool = False) -> None:
    session[NEW_LINK] = {"token": issued.token.id, "secret": issued.secret, "renewed": renewed}


@bp.post("/subscriptions/<kind>/<int:target_id>/links")
@login_required
def create(kind: str, target_id: int) -> Any:
    """Make a new secret link to one feed, then show it once."""
    db = get_session()
    me = require_person()
    target = _target(db, me, kind, target_id)
    form = CreateLinkForm(prefix=f"{kind}-{target_id}-")
    if not form.validate_on_submit():
        page, status = _render(failed=form, status=400)
        return page, status
    refs: dict[str, Any] = {
        "person": None,
        "collaboration": None,
        "organisation": None,
    }
    refs["collaboration" if kind == "blocked" else kind] = target.id
    label = (form.label.data or "").strip() or (None if kind == "person" else me.name)
    with change() as outcome:
        issued = feeds.create_token(
            db,
            app_now(),
            blocked_days=kind == "blocked",
            language=form.language.data,
            label=label,
            **refs,
        )
    if not outcome.ok:
        form.form_errors.append(outcome.message)
        page, status = _render(failed=form, status=outcome.status)
        return page, status
    _remember(issued)
    flash(gettext("Your new calendar link is ready."), "success")
    return redirect(url_for(".index", _anchor="new-link"))


def _confirm_page(token: FeedToken, what: str, form: ActionForm) -> str:
    db = get_session()
    return render_template(
        "subscriptions/confirm.html",
        token=token,
        what=what,
        title=_feed_title(db, token.feed),
        moment=lambda instant: format_moment(instant, request_locale()),
        form=form,
    )


@bp.route("/subscriptions/links/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(token_id: int) -> Any:
    """Ask, then revoke one link: its address stops working, other links keep working."""
    db = get_session()
    me = require_person()
    token = _managed_token(db, me, token_id)
    form = ActionForm()
    if request.method == "GET":
        return _confirm_page(token, "revoke", form)
    if not form.validate_on_submit():
        return _confirm_page(token, "revoke", form), 400
    with change() as outcome:
        feeds.revoke_token(db, token, app_now())
    if not outcome.ok:
        flash(outcome.message, "error")
        return redirect(url_for(".index"))
    flash(
        gettext(
            "The link %(hint)s… is revoked: calendars that use it no longer get updates.",
            hint=token.hint,
        ),
        "success",
    )
    return redirect(url_for(".index"))


@bp.route("/subscriptions/links/<int:token_id>/renew", methods=["GET", "POST"])
@login_required
def renew(token_id: int) -> Any:
    """Ask, then replace a link by a new secret (the old address stops working)."""
    db = get_session()
    me = require_person()
    token = _managed_token(db, me, token_id)
    form = ActionForm()
    if request.method == "GET":
        return _confirm_page(token, "renew", form)
    if not form.validate_on_submit():
        return _confirm_page(token, "renew", form), 400
    with change() as outcome:
        issued = feeds.renew_token(db, token, app_now())
    if not outcome.ok:
        flash(outcome.message, "error")
        return redirect(url_for(".index"))
    _remember(issued, renewed=True)
    flash(gettext("The link is renewed: the old address no longer works."), "success")
    return redirect(url_for(".index", _anchor="new-link"))
