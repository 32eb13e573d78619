"""Forms of the feeds page: making a new secret link to a calendar feed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from planner.web.forms import Form

# Languages are named in their own language: a reader of the other one still finds theirs.
FEED_LANGUAGES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]


class CreateLinkForm(Form):
    """An optional note to tell the link apart, and the language of the feed's texts."""

    label = StringField(
        _l("Note (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("To tell your links apart, e.g. “phone” or “Outlook at work”."),
    )
    language = SelectField(_l("Language of the calendar texts"), choices=FEED_LANGUAGES)
