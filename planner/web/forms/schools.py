"""Forms of the school administration pages: region, own holiday dates, closure days, busy
periods and the import of a school's year calendar."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError
from wtforms.widgets import CheckboxInput, ListWidget

from planner.errors import PlannerError
from planner.inputs import parse_date
from planner.web.forms import Form


def valid_date(form: Form, field: Any) -> None:
    """A date as a browser's date field sends it (2027-02-03), or typed the Dutch way."""
    if not field.data:
        return
    try:
        parse_date(field.data, str(field.label.text))
    except PlannerError as error:
        raise FieldError(error.translate(gettext)) from None


def date_field(label: Any, *, required: bool, description: Any = "") -> StringField:
    """A date input (type=date) that also accepts 3-2-2027 where browsers show a text box."""
    return StringField(
        label,
        validators=[InputRequired() if required else Optional(), valid_date],
        description=description,
        render_kw={"type": "date"},
    )


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegionForm(Form):
    """The school's holiday region."""

    # Its own id: the page's section about the region is "#region" already (and a label must
    # point at the select, not at a heading).
    region = SelectField(_l("Holiday region"), id="region-choice")


class OverrideForm(Form):
    """A school's own dates for an advisory school holiday."""

    first_day = date_field(_l("First free day"), required=True)
    last_day = date_field(_l("Last free day"), required=True)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class ClosureDaysForm(Form):
    """The days the school closes on although the law does not say so."""

    kinds = MultiCheckboxField(_l("Extra closure days"))


class BusyPeriodForm(Form):
    """A busy period, by dates or by ISO week numbers of a school year."""

    kind = SelectField(_l("Kind"))
    severity = SelectField(
        _l("Severity"),
        default="",
        description=_l(
            "Hard: no meeting is planned then. Soft: avoided when a good alternative exists."
        ),
    )
    first_day = date_field(_l("First day"), required=False)
    last_day = date_field(
        _l("Last day"), required=False, description=_l("Leave empty for a single day.")
    )
    school_year = SelectField(_l("School year"))
    weeks = StringField(
        _l("Week numbers"),
        validators=[Optional(), Length(max=40)],
        description=_l("ISO week numbers, e.g. 45, or 45-46 for two weeks (Monday to Friday)."),
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])

    # When changing a stored period: its dates as shown in the form. Week numbers typed while
    # those dates were left as they were replace them.
    stored_dates: tuple[str, str] | None = None

    def validate(self, extra_validators: Any = None) -> bool:
        """Fields first, then: dates or weeks, one of the two."""
        if not super().validate(extra_validators):
            return False
        has_weeks = bool((self.weeks.data or "").strip())
        if has_weeks and (self.first_day.data, self.last_day.data) == self.stored_dates:
            self.first_day.data = self.last_day.data = ""
        has_dates = bool(self.first_day.data or self.last_day.data)
        if has_dates and has_weeks:
            self.form_errors.append(gettext("Give either dates or weeks, not both."))
            return False
        if not has_dates and not has_weeks:
            self.form_errors.append(gettext("Give the first day, or the week numbers."))
            return False
        if self.last_day.data and not self.first_day.data:
            self.first_day.errors = [gettext("Give the first day too.")]
            return False
        return True

    def raw(self) -> dict[str, Any]:
        """The fields as busy_periods.create_busy_period / update_busy_period take them."""
        raw: dict[str, Any] = {
            "kind": self.kind.data,
            "severity": self.severity.data or "",
            "note": self.note.data or None,
        }
        if (self.weeks.data or "").strip():
            raw["weeks"] = self.weeks.data.strip()
            raw["school_year"] = self.school_year.data
        else:
            raw["first_day"] = self.first_day.data
            raw["last_day"] = self.last_day.data or self.first_day.data
        return raw


class ImportForm(Form):
    """The file with the school's own year calendar."""

    file = FileField(
        _l("Year calendar file"),
        validators=[FileRequired(_l("Choose a file to import."))],
        description=_l(
            "An .ics file (exported from Outlook, Google Calendar, Apple Calendar or the school's "
            "timetabling program) or a .csv list (from Excel: Save as, CSV). At most 1 MB."
        ),
    )
    school_year = SelectField(_l("School year"))


class CalendarUrlForm(Form):
    """The address of the school's published calendar (.ics), with rules for the kinds."""

    url = StringField(
        _l("Calendar address (URL)"),
        validators=[InputRequired(_l("Give the calendar's address.")), Length(max=2000)],
        description=_l(
            "The .ics address of the published calendar: Google Calendar (Settings, 'Public"
            " address in iCal format'), Outlook or Microsoft 365 ('Publish calendar', ICS"
            " link), or the Zermelo or Somtoday export."
        ),
        render_kw={"inputmode": "url", "autocomplete": "url"},
    )
    rules = TextAreaField(
        _l("Rules"),
        validators=[Optional(), Length(max=6000)],
        description=_l(
            "One a line: what the title contains = the kind, and hard or soft if not as usual,"
            " e.g. 'toets = toetsweek, hard' or 'ouderavond = overslaan'. Without a rule the"
            " kind is guessed from the title, as in the import."
        ),
        render_kw={"rows": 4},
    )
