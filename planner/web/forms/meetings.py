"""Forms of the plan wizard and the meeting page."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, Optional

from planner.web.forms import Form

YEAR = "year"
PERIOD = "period"
OTHER = "other"


class HorizonForm(Form):
    """Step 1 of the plan wizard: a school year, or a period within one (sent by GET)."""

    class Meta:
        csrf = False  # it only asks for a preview; nothing changes

    scope = RadioField(
        _l("What to plan"),
        choices=[
            SelectChoice(YEAR, _l("A whole school year")),
            SelectChoice(PERIOD, _l("A period")),
        ],
        default=YEAR,
        validators=[InputRequired()],
    )
    school_year = SelectField(_l("School year"), validators=[Optional()])
    first = DateField(
        _l("From"),
        validators=[Optional()],
        description=_l("Empty: from today. A period lies within one school year."),
    )
    last = DateField(
        _l("Up to and including"),
        validators=[Optional()],
        description=_l("Empty: to the end of that school year."),
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """A period needs a first or a last day, in order; dates given make it a period."""
        if not super().validate(extra_validators):
            return False
        if self.first.data or self.last.data:
            self.scope.data = PERIOD
        if self.scope.data != PERIOD:
            return True
        if self.first.data is None and self.last.data is None:
            self.first.errors = [str(_l("Give the first or the last day of the period."))]
            return False
        if self.first.data and self.last.data and self.last.data < self.first.data:
            self.last.errors = [str(_l("The last day lies before the first day."))]
            return False
        return True


class MoveForm(Form):
    """Move a meeting: one of the proposed days, or a date (and time) of one's own."""

    choice = RadioField(_l("New date"), validators=[InputRequired()], validate_choice=True)
    day = DateField(_l("Other date"), validators=[Optional()])
    time = TimeField(
        _l("Start time"),
        validators=[Optional()],
        description=_l("Empty: the first free start time of that day."),
    )
    short_notice = BooleanField(
        _l("Yes, move it at short notice: partners' calendars may already be full")
    )
    note = TextAreaField(
        _l("Note for the invitees (optional)"),
        validators=[Optional(), Length(max=500)],
        description=_l("Goes into the update mail, e.g. why the meeting moves."),
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """Another date needs the date."""
        if not super().validate(extra_validators):
            return False
        if self.choice.data == OTHER and self.day.data is None:
            self.day.errors = [str(_l("Give the other date."))]
            return False
        return True


class CancelForm(Form):
    """Cancel a meeting, once the box that says what happens is ticked."""

    confirm = BooleanField(
        _l("Yes, cancel this meeting and send everyone invited a cancellation"),
        validators=[InputRequired(message=_l("Tick the box to confirm the cancellation."))],
    )
    note = TextAreaField(
        _l("Note for the invitees (optional)"),
        validators=[Optional(), Length(max=500)],
        description=_l("Goes into the cancellation mail, e.g. why it does not take place."),
    )
