"""Forms of the collaboration pages: a collaboration's settings, and planning a fill-in date."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from planner.domain.kinds import Role
from planner.models import Collaboration, Person
from planner.services.collaborations import coordinators
from planner.web.forms import Form


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (no Ctrl-click needed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FillInForm(Form):
    """The proposed fill-in date, sent back as shown; the server checks it again."""

    day = HiddenField(validators=[InputRequired()])
    time = HiddenField(validators=[InputRequired()])
    back = HiddenField()


class CollaborationForm(Form):
    """Name, ambition, rhythm, meeting template, members and people of a collaboration."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    ambition = TextAreaField(
        _l("Shared ambition"),
        validators=[Optional(), Length(max=500)],
        description=_l("One line: what you want to achieve together."),
    )
    target_weeks = IntegerField(
        _l("Meet every … weeks"),
        validators=[InputRequired(), NumberRange(min=1, max=26)],
        description=_l("The rhythm you aim for, e.g. 6."),
    )
    max_gap_weeks = IntegerField(
        _l("Maximum gap in weeks"),
        validators=[InputRequired(), NumberRange(min=1, max=52)],
        description=_l("A longer gap puts focus at risk: the planner warns about it."),
    )
    count_holidays = BooleanField(
        _l("Count school holiday weeks in the gaps"),
        description=_l("Usually off: a week that is a holiday for every member school is skipped."),
    )
    weekdays = CheckboxesField(
        _l("Weekdays"),
        choices=[
            SelectChoice("1", _l("Monday")),
            SelectChoice("2", _l("Tuesday")),
            SelectChoice("3", _l("Wednesday")),
            SelectChoice("4", _l("Thursday")),
            SelectChoice("5", _l("Friday")),
        ],
        validators=[DataRequired(message=_l("Choose at least one weekday."))],
    )
    start_time = TimeField(_l("Earliest start"), validators=[InputRequired()])
    latest_start = TimeField(
        _l("Latest start"),
        validators=[Optional()],
        description=_l("Empty: always at the earliest start."),
    )
    duration_minutes = IntegerField(
        _l("Duration in minutes"), validators=[InputRequired(), NumberRange(min=15, max=600)]
    )
    location = RadioField(
        _l("Location"),
        choices=[
            SelectChoice("rotate", _l("In turn at each member school")),
            SelectChoice("online", _l("Online")),
        ],
        default="rotate",
    )
    location_note = StringField(
        _l("Location note"),
        validators=[Optional(), Length(max=500)],
        description=_l("E.g. the room, or the link of the online meeting."),
    )
    members = CheckboxesField(
        _l("Member organisations"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one member organisation."))],
    )
    coordinator_lines = TextAreaField(_l("Coordinators"), validators=[Optional()])
    participant_lines = TextAreaField(_l("Participants"), validators=[Optional()])
    notice_days = IntegerField(
        _l("Minimum notice, in school days"),
        validators=[Optional(), NumberRange(min=0, max=60)],
        description=_l(
            "The planner proposes no meeting sooner than this; weekends and days blocked for a"
            " member do not count. 0: no minimum."
        ),
    )
    reminder_hours = IntegerField(
        _l("Reminder, hours before a meeting"),
        validators=[Optional(), NumberRange(min=0, max=720)],
        description=_l("Empty: the standard; 0: no reminders."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plain strings: Jinja treats lazy strings as safe markup, and these show "<e-mail>".
        self.coordinator_lines.description = gettext(
            "One or two, one per line: the e-mail address of someone known, or "
            "Name <e-mail> for someone new."
        )
        self.participant_lines.description = gettext(
            "One per line: the e-mail address of someone known, or Name <e-mail> for someone new."
        )

    def fill_from(self, collab: Collaboration) -> None:
        """Show a stored collaboration's values."""
        self.name.data = collab.name
        self.ambition.data = collab.ambition
        self.target_weeks.data = collab.target_weeks
        self.max_gap_weeks.data = collab.max_gap_weeks
        self.count_holidays.data = collab.count_holidays
        self.weekdays.data = list(collab.weekdays)
        self.start_time.data = collab.earliest_start
        self.latest_start.data = collab.latest_start
        self.duration_minutes.data = collab.duration_minutes
        self.location.data = collab.location_mode.value
        self.location_note.data = collab.location_note
        self.members.data = [member.organisation_id for member in collab.members]
        self.coordinator_lines.data = "\n".join(person_line(p) for p in coordinators(collab))
        self.participant_lines.data = "\n".join(
            person_line(link.person) for link in collab.people if link.role is Role.PARTICIPANT
        )
        self.reminder_hours.data = collab.reminder_hours
        self.notice_days.data = collab.notice_days

    def raw(self) -> dict[str, Any]:
        """Return the fields as the collaboration services take them (like the API's JSON)."""
        start = self.start_time.data
        latest = self.latest_start.data
        return {
            "name": self.name.data,
            "ambition": self.ambition.data or None,
            "target_weeks": self.target_weeks.data,
            "max_gap_weeks": self.max_gap_weeks.data,
            "count_holidays": bool(self.count_holidays.data),
            "weekdays": [int(day) for day in self.weekdays.data or []],
            "start_time": start.strftime("%H:%M") if start else None,
            "latest_start": latest.strftime("%H:%M") if latest else "",
            "duration_minutes": self.duration_minutes.data,
            "location": self.location.data,
            "location_note": self.location_note.data or None,
            "members": list(self.members.data or []),
            "coordinators": lines(self.coordinator_lines.data),
            "participants": lines(self.participant_lines.data),
            "reminder_hours": self.reminder_hours.data,
            "notice_days": self.notice_days.data,
        }


def lines(text: str | None) -> list[str]:
    """Return the non-empty lines of a text area."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def person_line(person: Person) -> str:
    """Return a person as "Name <e-mail>", the way the people fields take them."""
    return f"{person.name} <{person.email}>"
