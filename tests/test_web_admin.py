"""Platform administration pages: organisations, accounts and roles, holiday data, the queues and
the settings. Only platform administrators get in; everyone else is refused and changes nothing."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from planner.events import EventKind, PersonRef, append_event
from planner.models import (
    Event,
    JobState,
    Mail,
    Organisation,
    OrganisationAdmin,
    Person,
    SchoolHolidayRecord,
)
from planner.services import accounts
from planner.services import organisations as orgs
from tests.factories import dead_mail, person_by_email
from tests.helpers import count_rows, dispatch
from tests.web import NOW, login, make_account, post, text_of


@pytest.fixture
def admin(session: Session, demo: None) -> Person:
    return person_by_email(session, "beheer@planner.example", fresh=True)


@pytest.fixture
def as_admin(browser: FlaskClient, admin: Person) -> FlaskClient:
    login(browser, admin)
    return browser


def _snapshot(app: Flask) -> dict[str, Any]:
    """Everything an administration page could change."""
    engine = app.extensions["planner.db"].engine
    with engine.connect() as conn:
        return {
            "people": conn.execute(
                text("SELECT id, email, password_hash, is_admin FROM person ORDER BY id")
            ).all(),
            "organisations": conn.execute(
                text("SELECT id, name, kind, brin, sector, region, city FROM organisation")
            ).all(),
            "school_admins": conn.execute(
                text("SELECT organisation_id, person_id FROM organisation_admin ORDER BY 1, 2")
            ).all(),
            "mails": count_rows(app, Mail),
            "events": conn.execute(text("SELECT id, attempts, dead_at FROM event")).all(),
            "mail_states": conn.execute(text("SELECT id, attempts, dead_at FROM mail")).all(),
            "holidays": count_rows(app, SchoolHolidayRecord),
        }


# --- who gets in ---------------------------------------------------------------------------------

PAGES = [
    "/admin",
    "/admin/organisations",
    "/admin/organisations/new",
    "/admin/organisations/1",
    "/admin/organisations/1/delete",
    "/admin/accounts",
    "/admin/accounts/1",
    "/admin/accounts/1/remove",
    "/admin/holidays",
    "/admin/queue",
    "/admin/queue?state=failed",
    "/admin/settings",
]
POSTS = [
    ("/admin/organisations/new", {"name": "Nieuw College", "kind": "school", "region": "noord"}),
    ("/admin/organisations/1", {"name": "Hacked", "kind": "school", "region": "zuid"}),
    ("/admin/organisations/8/delete", {}),
    ("/admin/accounts", {"email": "nieuw@school.example", "name": "Nieuw", "language": "nl"}),
    ("/admin/accounts/{coordinator}/platform-admin", {"make": "1"}),
    ("/admin/accounts/{admin}/platform-admin", {"make": "0"}),
    ("/admin/accounts/{coordinator}/schools", {"organisation": "1"}),
    ("/admin/accounts/{school_admin}/schools/{school}/revoke", {}),
    ("/admin/accounts/{coordinator}/password-mail", {}),
    ("/admin/accounts/{school_admin}/remove", {}),
    ("/admin/holidays/import", {"holidays": "[]"}),
    ("/admin/queue/mails/{mail}/retry", {"state": "dead"}),
    ("/admin/queue/events/{event}/retry", {"state": "dead"}),
]


def _post_urls(session: Session) -> list[tuple[str, dict[str, Any]]]:
    mail = dead_mail(session, NOW, "A notice that bounced")
    event = append_event(session, EventKind.PERSON_CREATED, PersonRef(1), NOW)
    session.flush()
    event.attempts, event.dead_at, event.last_error = 5, NOW, "boom"
    session.commit()
    school_admin = person_by_email(session, "roosters@minnaert.example", fresh=True)
    ids = {
        "coordinator": person_by_email(session, "a.devries@minnaert.example", fresh=True).id,
        "admin": person_by_email(session, "beheer@planner.example", fresh=True).id,
        "school_admin": school_admin.id,
        "school": school_admin.administers[0].organisation_id,
        "mail": mail.id,
        "event": event.id,
    }
    return [(url.format(**ids), data) for url, data in POSTS]


def test_a_coordinator_gets_403_on_every_admin_page_and_changes_nothing(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    posts = _post_urls(session)
    login(browser, person_by_email(session, "a.devries@minnaert.example", fresh=True))
    before = _snapshot(app)
    for url in PAGES:
        assert browser.get(url).status_code == 403, url
    for url, data in posts:
        assert post(browser, url, data).status_code == 403, url
    assert _snapshot(app) == before
    # The menu does not offer the administration either.
    assert "/admin" not in browser.get("/subscriptions").get_data(as_text=True)


def test_a_school_administrator_gets_403_too(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    posts = _post_urls(session)
    login(browser, person_by_email(session, "roosters@minnaert.example", fresh=True))
    before = _snapshot(app)
    for url in PAGES:
        assert browser.get(url).status_code == 403, url
    for url, data in posts:
        assert post(browser, url, data).status_code == 403, url
    assert _snapshot(app) == before


def test_anonymous_visitors_are_sent_to_the_login_page(
    app: Flask, browser: FlaskClient, session: Session, demo: None
) -> None:
    posts = _post_urls(session)
    before = _snapshot(app)
    for url in PAGES:
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url
    for url, data in posts:
        response = post(browser, url, data)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
    assert _snapshot(app) == before


def test_the_administrator_sees_every_page(as_admin: FlaskClient) -> None:
    for url in PAGES:
        response = as_admin.get(url + ("&" if "?" in url else "?") + "lang=en")
        assert response.status_code == 200, url
    overview = text_of(as_admin.get("/admin?lang=en"))
    for part in ("Organisations", "Accounts and roles", "Holiday data", "Events and mails"):
        assert part in overview


# --- organisations -------------------------------------------------------------------------------


def test_the_organisation_list_shows_the_demo_schools(as_admin: FlaskClient) -> None:
    page = text_of(as_admin.get("/admin/organisations?lang=en"))
    assert "Minnaert College" in page and "91XA" in page
    found = text_of(as_admin.get("/admin/organisations?q=91XB&lang=en"))
    assert "91XB" in found and "Minnaert College" not in found
    nothing = text_of(as_admin.get("/admin/organisations?q=zzzz&lang=en"))
    assert "No organisation matches" in nothing


def test_an_administrator_adds_an_organisation(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    before = count_rows(app, Organisation)
    response = post(
        as_admin,
        "/admin/organisations/new",
        {
            "name": "Het Nieuwe Lyceum",
            "kind": "school",
            "brin": "12 ab",
            "sector": "vo",
            "region": "midden",
            "city": "Utrecht",
        },
    )
    assert response.status_code == 302
    assert count_rows(app, Organisation) == before + 1
    org = session.scalars(select(Organisation).where(Organisation.brin == "12AB")).one()
    assert (org.name, org.region, org.city, org.sector.value if org.sector else None) == (
        "Het Nieuwe Lyceum",
        "midden",
        "Utrecht",
        "vo",
    )
    assert "Het Nieuwe Lyceum" in text_of(as_admin.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("fields", "dutch"),
    [
        ({"name": "Foute School", "kind": "school", "brin": "XYZ", "region": "noord"}, "ongeldig"),
        ({"name": "Zonder Regio", "kind": "school"}, "vakantieregio"),
        ({"name": "Dubbel", "kind": "school", "brin": "91XA", "region": "noord"}, "91XA"),
        ({"name": "", "kind": "school", "region": "noord"}, "Dit veld is vereist"),
    ],
)
def test_bad_organisation_input_is_refused_in_dutch_and_stores_nothing(
    app: Flask, as_admin: FlaskClient, fields: dict[str, str], dutch: str
) -> None:
    before = _snapshot(app)
    response = post(as_admin, "/admin/organisations/new", fields)
    assert response.status_code in (400, 409)
    page = text_of(response)
    assert dutch in page
    assert _snapshot(app) == before
    # The form keeps what was typed.
    if fields["name"]:
        assert f'value="{fields["name"]}"' in response.get_data(as_text=True)


def test_an_administrator_edits_an_organisation(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    org = orgs.find_organisation(session, "91XA")
    form = as_admin.get(f"/admin/organisations/{org.id}?lang=en").get_data(as_text=True)
    assert 'value="Minnaert College"' in form and 'value="91XA"' in form
    fields = orgs.organisation_fields(org)
    response = post(
        as_admin,
        f"/admin/organisations/{org.id}",
        {**{key: value or "" for key, value in fields.items()}, "city": "Veenendaal"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert orgs.find_organisation(session, "91XA").city == "Veenendaal"
    # A bad change is refused and changes nothing.
    before = _snapshot(app)
    response = post(
        as_admin,
        f"/admin/organisations/{org.id}?lang=en",
        {**{key: value or "" for key, value in fields.items()}, "brin": "91XB"},
    )
    assert response.status_code == 409
    assert "already used by" in text_of(response)
    assert _snapshot(app) == before


def test_an_organisation_in_a_collaboration_cannot_be_deleted(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    org = orgs.find_organisation(session, "91XA")
    before = _snapshot(app)
    page = text_of(as_admin.get(f"/admin/organisations/{org.id}/delete?lang=en"))
    assert "cannot be deleted" in page and "Startersbegeleiding Woerden" in page
    response = post(as_admin, f"/admin/organisations/{org.id}/delete?lang=en")
    assert response.status_code == 409
    assert "cannot be deleted" in text_of(response)
    assert _snapshot(app) == before


def test_an_unused_organisation_is_deleted_after_confirmation(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    org = orgs.create_organisation(
        session, {"name": "Losse School", "brin": "55ZZ", "region": "zuid"}, NOW
    )
    session.commit()
    keeper = make_account(session, "roosters@losse.example", schools=(org,))
    keeper.organisation_id = org.id
    session.commit()
    before = count_rows(app, Organisation)
    page = text_of(as_admin.get(f"/admin/organisations/{org.id}/delete?lang=en"))
    assert "Delete Losse School?" in page and "Yes, delete Losse School" in page
    assert "the rights of 1 school administrator" in page
    assert count_rows(app, Organisation) == before  # asking deletes nothing
    response = post(as_admin, f"/admin/organisations/{org.id}/delete")
    assert response.status_code == 302
    assert count_rows(app, Organisation) == before - 1
    assert as_admin.get(f"/admin/organisations/{org.id}").status_code == 404
    # The school administrator stays, without the school.
    keeper = person_by_email(session, "roosters@losse.example", fresh=True)
    assert keeper.organisation_id is None and keeper.administers == []


# --- accounts and roles --------------------------------------------------------------------------


def test_the_account_list_shows_every_login_with_its_roles(as_admin: FlaskClient) -> None:
    page = text_of(as_admin.get("/admin/accounts?lang=en"))
    assert "beheer@planner.example" in page and "Platform administrator" in page
    assert "School administrator of Minnaert College" in page
    assert "Coordinator of Startersbegeleiding Woerden" in page
    # A partner without a login is not an account.
    assert "e.yilmaz@groenendaal.example" not in page


def _reset_link(session: Session, recipient: str) -> str:
    session.expire_all()
    mail = session.scalars(
        select(Mail).where(Mail.recipient == recipient).order_by(Mail.id.desc())
    ).first()
    assert mail is not None
    body = mail.raw.replace("=\r\n", "").replace("=\n", "")
    match = re.search(r"https?://[^\s\"<>]*/password/reset/[A-Za-z0-9_.\-]+", body)
    assert match, body
    return match.group(0)


def test_a_new_account_gets_a_welcome_mail_whose_link_sets_the_password(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    dispatch(app)  # the demo's own invitations first
    mails = count_rows(app, Mail)
    response = post(
        as_admin,
        "/admin/accounts",
        {
            "email": "J.Nieuw@School.example",
            "name": "Jan Nieuw",
            "language": "nl",
            "school": str(orgs.find_organisation(session, "91XA").id),
        },
    )
    assert response.status_code == 302
    person = person_by_email(session, "j.nieuw@school.example", fresh=True)
    assert person.password_hash == accounts.PENDING and not person.is_admin
    assert session.get(OrganisationAdmin, (orgs.find_organisation(session, "91XA").id, person.id))
    dispatch(app)  # the worker writes the welcome mail
    assert count_rows(app, Mail) == mails + 1
    page = text_of(as_admin.get(response.headers["Location"]))
    assert "j.nieuw@school.example" in page

    link = _reset_link(session, "j.nieuw@school.example")
    stranger = app.test_client()
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert stranger.get("/" + path).status_code == 200
    new_password = "een lange zin als wachtwoord"
    done = post(stranger, "/" + path, {"password": new_password, "confirm": new_password})
    assert done.status_code == 302
    # The new password logs in; the link does not work a second time.
    logged_in = post(
        stranger, "/login", {"email": "j.nieuw@school.example", "password": new_password}
    )
    assert logged_in.status_code == 302 and "/login" not in logged_in.headers["Location"]
    assert app.test_client().get("/" + path).status_code == 404


def test_an_existing_participant_gets_a_login(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    before = count_rows(app, Person)
    dispatch(app)  # the demo's own invitations first
    response = post(
        as_admin,
        "/admin/accounts",
        {"email": "e.yilmaz@groenendaal.example", "name": "", "language": "nl"},
    )
    assert response.status_code == 302
    assert count_rows(app, Person) == before  # the same person, now with a login
    person = person_by_email(session, "e.yilmaz@groenendaal.example", fresh=True)
    assert person.name == "Esra Yilmaz" and person.password_hash == accounts.PENDING
    dispatch(app)
    assert _reset_link(session, "e.yilmaz@groenendaal.example")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "a.devries@minnaert.example", "name": "X"}, "already has a login"),
        ({"email": "nieuw@school.example", "name": ""}, "Give the name"),
        ({"email": "geen-adres", "name": "Geen Adres"}, "not an e-mail address"),
    ],
)
def test_a_bad_account_request_changes_nothing(
    app: Flask, as_admin: FlaskClient, fields: dict[str, str], message: str
) -> None:
    before = _snapshot(app)
    response = post(as_admin, "/admin/accounts?lang=en", {**fields, "language": "nl"})
    assert response.status_code in (400, 409)
    assert message in text_of(response)
    assert _snapshot(app) == before


def test_platform_admin_is_granted_and_the_last_one_cannot_be_removed(
    app: Flask, as_admin: FlaskClient, session: Session, admin: Person
) -> None:
    # The only administrator cannot stop being one, nor lose the login.
    before = _snapshot(app)
    response = post(as_admin, f"/admin/accounts/{admin.id}/platform-admin?lang=en", {"make": "0"})
    assert response.status_code == 409
    assert "last platform administrator" in text_of(response)
    assert _snapshot(app) == before
    assert person_by_email(session, "beheer@planner.example", fresh=True).is_admin

    coordinator = person_by_email(session, "a.devries@minnaert.example", fresh=True)
    response = post(as_admin, f"/admin/accounts/{coordinator.id}/platform-admin", {"make": "1"})
    assert response.status_code == 302
    assert person_by_email(session, "a.devries@minnaert.example", fresh=True).is_admin
    # With two, one may step down (and the other stays).
    response = post(as_admin, f"/admin/accounts/{coordinator.id}/platform-admin", {"make": "0"})
    assert response.status_code == 302
    assert not person_by_email(session, "a.devries@minnaert.example", fresh=True).is_admin
    assert person_by_email(session, "beheer@planner.example", fresh=True).is_admin


def test_removing_a_login_never_removes_the_last_administrator(
    app: Flask, browser: FlaskClient, session: Session, admin: Person
) -> None:
    second = make_account(session, "tweede@planner.example", admin=True)
    login(browser, second)
    # With two, the first administrator's login can go ...
    page = text_of(browser.get(f"/admin/accounts/{admin.id}/remove?lang=en"))
    assert "Remove the login of" in page
    # ... but not one's own.
    own = text_of(browser.get(f"/admin/accounts/{second.id}/remove?lang=en"))
    assert "cannot remove your own login" in own
    before = _snapshot(app)
    assert post(browser, f"/admin/accounts/{second.id}/remove").status_code == 400
    assert _snapshot(app) == before
    # Make `second` the last administrator by removing the first one.
    assert post(browser, f"/admin/accounts/{admin.id}/remove").status_code == 302
    removed = person_by_email(session, "beheer@planner.example", fresh=True)
    assert removed.password_hash is None and not removed.is_admin
    remaining = session.scalars(select(Person).where(Person.is_admin.is_(True))).all()
    assert [person.email for person in remaining] == ["tweede@planner.example"]


def test_school_admin_rights_are_granted_and_taken_away(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    coordinator = person_by_email(session, "a.devries@minnaert.example", fresh=True)
    school = orgs.find_organisation(session, "91XB")
    assert not accounts.may_administer(session, coordinator, school)
    response = post(
        as_admin, f"/admin/accounts/{coordinator.id}/schools", {"organisation": str(school.id)}
    )
    assert response.status_code == 302
    session.expire_all()
    assert accounts.may_administer(session, coordinator, school)
    page = text_of(as_admin.get(f"/admin/accounts/{coordinator.id}?lang=en"))
    assert f"School administrator of {school.name}" in page
    response = post(as_admin, f"/admin/accounts/{coordinator.id}/schools/{school.id}/revoke")
    assert response.status_code == 302
    session.expire_all()
    assert not accounts.may_administer(session, coordinator, school)
    # A school that does not exist is refused.
    before = _snapshot(app)
    response = post(
        as_admin, f"/admin/accounts/{coordinator.id}/schools", {"organisation": "99999"}
    )
    assert response.status_code == 302
    assert _snapshot(app) == before


def test_a_password_reset_mail_is_sent_on_request(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    coordinator = person_by_email(session, "a.devries@minnaert.example", fresh=True)
    dispatch(app)  # the demo's own invitations first
    mails = count_rows(app, Mail)
    response = post(as_admin, f"/admin/accounts/{coordinator.id}/password-mail")
    assert response.status_code == 302
    dispatch(app)  # the worker writes the mail
    assert count_rows(app, Mail) == mails + 1
    assert "/password/reset/" in _reset_link(session, "a.devries@minnaert.example")


def test_a_person_without_a_login_has_no_account_page(
    as_admin: FlaskClient, session: Session
) -> None:
    partner = person_by_email(session, "e.yilmaz@groenendaal.example", fresh=True)
    assert as_admin.get(f"/admin/accounts/{partner.id}").status_code == 404
    assert as_admin.get("/admin/accounts/99999").status_code == 404


# --- holiday data --------------------------------------------------------------------------------


def _upload(client: FlaskClient, data: bytes, name: str = "schoolholidays.json") -> Any:
    return post(client, "/admin/holidays/preview?lang=en", {"file": (BytesIO(data), name)})


def test_the_holiday_page_shows_the_school_years_per_region(as_admin: FlaskClient) -> None:
    page = text_of(as_admin.get("/admin/holidays?lang=en"))
    assert "2026-2027" in page and "this school year" in page
    assert "shipped with the planner" in page
    for region in ("noord", "midden", "zuid"):
        assert region in page


def test_a_rijksoverheid_file_is_previewed_then_imported(
    app: Flask, as_admin: FlaskClient, session: Session, rijksoverheid_sample: dict[str, Any]
) -> None:
    sample = rijksoverheid_sample["list"]
    # Make one date differ from what the planner has, so the import has something to do.
    herfst = sample[0]["content"][0]["vacations"][0]
    herfst["regions"][0]["startdate"] = "2026-10-09T00:00:00.000Z"
    before = _snapshot(app)
    preview = _upload(as_admin, json.dumps(sample).encode())
    assert preview.status_code == 200
    page = text_of(preview)
    assert "What importing schoolholidays.json would do" in page
    assert "2026-2027" in page and "Autumn holiday" in page and "Fri 9 Oct 2026" in page
    assert _snapshot(app) == before  # a preview stores nothing

    html = preview.get_data(as_text=True)
    carried = re.search(r'name="holidays" type="hidden" value="([^"]*)"', html)
    assert carried
    import html as html_lib

    response = post(
        as_admin, "/admin/holidays/import?lang=en", {"holidays": html_lib.unescape(carried[1])}
    )
    assert response.status_code == 302
    assert count_rows(app, SchoolHolidayRecord) >= 1
    stored = session.scalars(
        select(SchoolHolidayRecord).where(
            SchoolHolidayRecord.school_year == "2026-2027",
            SchoolHolidayRecord.name == "herfstvakantie",
            SchoolHolidayRecord.region == "noord",
        )
    ).one()
    assert stored.first_on.isoformat() == "2026-10-09"
    assert "Holiday data imported" in text_of(as_admin.get("/admin/holidays?lang=en"))
    # The same file again: nothing left to import.
    again = text_of(_upload(as_admin, json.dumps(sample).encode()))
    assert "Nothing to import" in again


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "De Rijksoverheid-data is geen geldige JSON: regel 1, kolom 2"),
        (b'{"content": [{"schoolyear": "2026-2027", "vacations": "none"}]}', "moet een lijst"),
        (b"[]", "geen schoolvakanties"),
    ],
)
def test_a_malformed_holiday_file_is_refused_and_changes_nothing(
    app: Flask, as_admin: FlaskClient, data: bytes, message: str
) -> None:
    before = _snapshot(app)
    response = post(as_admin, "/admin/holidays/preview", {"file": (BytesIO(data), "x.json")})
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert "Import these changes" not in page and "Deze wijzigingen importeren" not in page
    assert _snapshot(app) == before


def test_a_tampered_confirmation_is_checked_again(app: Flask, as_admin: FlaskClient) -> None:
    before = _snapshot(app)
    response = post(as_admin, "/admin/holidays/import?lang=en", {"holidays": '{"content": 3}'})
    assert response.status_code == 302
    assert "must be a list" in text_of(as_admin.get(response.headers["Location"]))
    assert _snapshot(app) == before


def test_an_upload_without_a_file_asks_for_one(app: Flask, as_admin: FlaskClient) -> None:
    before = _snapshot(app)
    response = post(as_admin, "/admin/holidays/preview?lang=en", {})
    assert response.status_code == 400
    assert "Choose a file to upload." in text_of(response)
    assert _snapshot(app) == before


# --- the queues ----------------------------------------------------------------------------------


def test_the_queue_lists_a_dead_mail_and_retry_puts_it_back(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    app.config["FROZEN_NOW"] = "2026-09-02T08:00:00Z"
    mail = dead_mail(session, NOW, "A notice that bounced")
    page = text_of(as_admin.get("/admin/queue?state=dead&lang=en"))
    assert "someone@partner.example" in page
    assert "550 mailbox unavailable" in page and "A notice that bounced" in page
    assert "1 event or mail has been given up" in text_of(as_admin.get("/admin?lang=en"))
    response = post(as_admin, f"/admin/queue/mails/{mail.id}/retry?lang=en", {"state": "dead"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/queue?state=dead")
    session.expire_all()
    stored = session.get(Mail, mail.id)
    assert stored is not None and stored.dead_at is None and stored.attempts == 0
    assert stored.available_at == datetime(2026, 9, 2, 8, 0, tzinfo=UTC)
    after = text_of(as_admin.get("/admin/queue?state=dead&lang=en"))
    assert f"Mail {mail.id} is back in the queue." in after
    assert "someone@partner.example" not in after.split("Mails: given up", 1)[1]
    pending = text_of(as_admin.get("/admin/queue?state=failed&lang=en"))
    assert "someone@partner.example" in pending  # it failed before: waiting to be retried


def test_a_sent_mail_and_a_handled_event_cannot_be_retried(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    mail = dead_mail(session, NOW, "A notice that bounced")
    mail.dead_at, mail.sent_at = None, NOW
    event = append_event(session, EventKind.PERSON_CREATED, PersonRef(1), NOW)
    session.flush()
    event.done_at = NOW
    session.commit()
    before = _snapshot(app)
    response = post(as_admin, f"/admin/queue/mails/{mail.id}/retry?lang=en", {"state": "done"})
    assert "already sent" in text_of(as_admin.get(response.headers["Location"] + "&lang=en"))
    response = post(as_admin, f"/admin/queue/events/{event.id}/retry?lang=en", {"state": "done"})
    assert "already handled" in text_of(as_admin.get(response.headers["Location"] + "&lang=en"))
    response = post(as_admin, "/admin/queue/mails/999999/retry?lang=en", {"state": "dead"})
    assert "There is no mail" in text_of(as_admin.get(response.headers["Location"] + "&lang=en"))
    assert _snapshot(app) == before


def test_a_dead_event_is_retried(as_admin: FlaskClient, session: Session) -> None:
    event = append_event(session, EventKind.PERSON_CREATED, PersonRef(1), NOW)
    session.flush()
    event.attempts, event.dead_at, event.last_error = 5, NOW, "KeyError: boom"
    session.commit()
    page = text_of(as_admin.get("/admin/queue?state=dead&lang=en"))
    assert "person.created" in page and "KeyError: boom" in page
    assert post(as_admin, f"/admin/queue/events/{event.id}/retry", {"state": "dead"}).status_code
    session.expire_all()
    stored = session.get(Event, event.id)
    assert stored is not None and stored.dead_at is None and stored.attempts == 0


def test_an_unknown_queue_state_is_not_found(as_admin: FlaskClient) -> None:
    assert as_admin.get("/admin/queue?state=stuck").status_code == 404


# --- settings and the worker ---------------------------------------------------------------------


def test_settings_are_shown_with_secrets_masked(app: Flask, as_admin: FlaskClient) -> None:
    app.config.update(
        MAIL_SMTP_HOST="smtp.school.example",
        MAIL_SMTP_PASSWORD="hunter2-smtp",
        PUBLIC_URL="https://planner.school.example",
        RATELIMIT_STORAGE_URI="redis://:redis-secret@cache.example:6379",
    )
    response = as_admin.get("/admin/settings?lang=en")
    html = response.get_data(as_text=True)
    for secret in ("hunter2-smtp", "test-api-token", "redis-secret", app.config["SECRET_KEY"]):
        assert f">{secret}<" not in html and secret not in text_of(response).split()
    assert "hunter2-smtp" not in html and "redis-secret" not in html
    page = text_of(response)
    assert "MAIL_SMTP_HOST smtp.school.example" in page
    assert "PUBLIC_URL https://planner.school.example" in page
    assert "MAIL_SMTP_PASSWORD set" in page and "API_TOKEN set" in page
    assert "SECRET_KEY set" in page
    assert "LOGIN_RATE_LIMIT 10 per minute;60 per hour" in page
    assert "WORKER_LEASE_SECONDS" in page and "FEED_PAST_DAYS" in page


def test_the_worker_health_shows_leases_and_last_runs(
    app: Flask, as_admin: FlaskClient, session: Session
) -> None:
    page = text_of(as_admin.get("/admin/settings?lang=en"))
    assert "nobody" in page and "never" in page
    assert "No worker holds the scheduler lease" in text_of(as_admin.get("/admin?lang=en"))
    session.add(
        JobState(name="scheduler", holder="host-1:4242", lease_until=NOW + timedelta(minutes=1))
    )
    session.add(JobState(name="job:daily", last_run_at=NOW - timedelta(hours=2)))
    session.add(JobState(name="job:weekly", last_error="RuntimeError: smtp down"))
    session.commit()
    page = text_of(as_admin.get("/admin/settings?lang=en"))
    assert "host-1:4242" in page
    assert "Tue 1 Sep 2026 08:00" in page  # the daily job's last run (06:00 UTC) in Dutch time
    assert "RuntimeError: smtp down" in page
    assert "No worker holds the scheduler lease" not in text_of(as_admin.get("/admin?lang=en"))


def test_pages_speak_dutch_by_default(as_admin: FlaskClient) -> None:
    page = as_admin.get("/admin/organisations").get_data(as_text=True)
    assert '<html lang="nl">' in page
