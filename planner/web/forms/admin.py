"""Forms of the platform administration: organisations, accounts, holiday data."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from planner.web.forms import Form

SECTORS = [
    SelectChoice("", _l("none (not a school)")),
    SelectChoice("po", _l("po: primary education")),
    SelectChoice("vo", _l("vo: secondary education")),
    SelectChoice("so", _l("so: special education")),
    SelectChoice("mbo", _l("mbo: vocational education")),
]
REGIONS = [
    SelectChoice("", _l("none (a partner outside education)")),
    SelectChoice("noord", "noord"),
    SelectChoice("midden", "midden"),
    SelectChoice("zuid", "zuid"),
]
LANGUAGES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]


class OrganisationForm(Form):
    """An organisation's fields; the service checks them as a whole (BRIN, region rules)."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=[])  # labels in the page's language, set by the view
    brin = StringField(
        _l("BRIN code"),
        validators=[Optional(), Length(max=10)],
        description=_l("Schools only: two digits and two letters, e.g. 02QZ."),
    )
    sector = SelectField(_l("Sector"), choices=SECTORS, validators=[Optional()])
    region = SelectField(
        _l("Holiday region"),
        choices=REGIONS,
        validators=[Optional()],
        description=_l("Schools and school boards need one; it decides their school holidays."),
    )
    city = StringField(_l("Place"), validators=[Optional(), Length(max=100)])


class AccountForm(Form):
    """A login for a new or an existing person; they choose their password by mail link."""

    email = EmailField(_l("E-mail address"), validators=[InputRequired(), Length(max=254)])
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Needed for someone new; an existing person keeps their name."),
    )
    language = SelectField(_l("Language of the mails"), choices=LANGUAGES)
    school = SelectField(
        _l("School administrator of"), choices=[], validators=[Optional()]
    )  # set by the view
    admin = BooleanField(_l("Platform administrator"))


class SchoolAdminForm(Form):
    """A school (or other organisation) whose calendar a person may administer."""

    organisation = SelectField(_l("School"), choices=[])  # set by the view


class HolidayUploadForm(Form):
    """A file saved from the Rijksoverheid open-data API (schoolholidays, JSON)."""

    file = FileField(
        _l("Rijksoverheid file (JSON)"),
        validators=[FileRequired(_l("Choose a file to upload."))],
        description=_l(
            "Save the answer of opendata.rijksoverheid.nl (infotype schoolholidays, output=json)"
            " as a file and upload it here. You see what changes before anything is stored."
        ),
    )


class HolidayConfirmForm(Form):
    """The previewed holidays, carried to the confirmation (checked again when it arrives)."""

    holidays = HiddenField()
