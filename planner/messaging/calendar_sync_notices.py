"""A linked calendar that stopped working (event `calendar_sync.failed`): the school's
administrators get one mail per failure, saying what went wrong and that the last good state
is kept. The dedupe key is the moment the failure began, so the retries of one failure never
mail again; a new failure after a success does."""

from __future__ import annotations

from flask_babel import force_locale, gettext

from planner.events import CalendarSyncFailed, EventKind
from planner.messaging.content import Block, Content, digest_key
from planner.messaging.registry import Context, handles
from planner.models import CalendarSource, Organisation
from planner.services.completeness import administrators_of


@handles(EventKind.CALENDAR_SYNC_FAILED)
def _failed(ctx: Context, payload: CalendarSyncFailed) -> None:
    source = ctx.session.get(CalendarSource, payload.calendar_source_id)
    org = ctx.session.get(Organisation, payload.organisation_id)
    if source is None or org is None or source.failing_since is None:
        return  # unlinked, or working again before the mail went out
    page = f"{ctx.composer.base_url}/schools/{org.id}#calendar-url"
    error = source.last_error or {}
    for person in administrators_of(ctx.session, org):
        with force_locale(person.language):
            reason = gettext(str(error.get("message", "")), **(error.get("params") or {}))
            content = Content(
                gettext("The calendar of %(school)s could not be fetched", school=org.name),
                gettext("Dear %(name)s,", name=person.name),
                [
                    gettext(
                        "The planner could not read the calendar linked to %(school)s at"
                        " %(url)s: %(reason)s",
                        school=org.name,
                        url=source.url,
                        reason=reason,
                    ),
                    gettext(
                        "Nothing was removed: the busy periods of the last good fetch stay as"
                        " they are. The planner keeps trying; you get no further mail about"
                        " this failure."
                    ),
                ],
                [
                    Block(
                        org.name,
                        [gettext("Check the address, or fetch it again on the school's page.")],
                        [(gettext("Open the school's calendar"), page)],
                    )
                ],
            )
        ctx.composer.notice(
            digest_key("calendar-sync-failed", source.id, payload.failing_since, person.id),
            person,
            content,
        )
