"""One-click unsubscribe without signing in (RFC 8058; issue 16, item 2)."""

import sqlalchemy as sa

from lms.accounts.models import User
from lms.extensions import db
from lms.notifications.models import NotificationPreference, OutboxMessage
from lms.notifications.unsubscribe import unsubscribe_token
from tests.conftest import login
from tests.notifications.people import hello_kind_fixture, send_hello  # noqa: F401


def _link_in_email(app, user_id):
    """The path of the unsubscribe link in the email's List-Unsubscribe header."""
    send_hello(app, user_id, "first")
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage))
        header = message.headers["List-Unsubscribe"]
        assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    return url[url.index("/notifications/unsubscribe/") :]


def _channel(app, user_id):
    with app.app_context():
        row = db.session.get(NotificationPreference, (user_id, "tests.hello"))
        return row.channel if row else None


def test_page_asks_about_the_kind_without_naming_the_account(app, client, make_user, hello_kind):
    user_id, email = make_user("learner", name="Alma Secret")
    path = _link_in_email(app, user_id)
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Stop emails about Test news?" in html
    assert "Alma Secret" not in html and email not in html
    assert _channel(app, user_id) is None  # looking changes nothing


def test_the_page_button_stops_the_emails(app, client, make_user, hello_kind):
    user_id, _email = make_user("learner")
    path = _link_in_email(app, user_id)
    page = client.get(path).get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Done: you will not get emails about Test news any more." in html
    assert 'href="/account/notifications"' in html
    assert _channel(app, user_id) == "platform"
    # The next message of that kind is on the platform only.
    send_hello(app, user_id, "second")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_mail_clients_one_click_post_needs_no_session_or_csrf(app, make_user, hello_kind):
    user_id, _email = make_user("learner")
    path = _link_in_email(app, user_id)
    app.config["WTF_CSRF_ENABLED"] = True
    fresh = app.test_client()  # no cookie, no session, as a mail provider's server
    response = fresh.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert _channel(app, user_id) == "platform"
    # A second click is harmless.
    assert fresh.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert _channel(app, user_id) == "platform"


def test_off_stays_off(app, client, make_user, hello_kind):
    user_id, email = make_user("learner")
    path = _link_in_email(app, user_id)
    with app.app_context():
        db.session.add(NotificationPreference(user_id=user_id, kind="tests.hello", channel="off"))
        db.session.commit()
    client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert _channel(app, user_id) == "off"


def test_a_bad_token_is_a_friendly_404(app, client, make_user, hello_kind):
    user_id, _email = make_user("learner")
    path = _link_in_email(app, user_id)
    for bad in (path[:-3] + "xyz", "/notifications/unsubscribe/nonsense"):
        for method in (client.get, client.post):
            response = method(bad)
            assert response.status_code == 404
            assert "This link to stop emails does not work" in response.get_data(as_text=True)
    assert _channel(app, user_id) is None


def test_security_kinds_and_deleted_accounts_cannot_be_unsubscribed(
    app, client, make_user, hello_kind
):
    user_id, _email = make_user("learner")
    with app.test_request_context():
        user = db.session.get(User, user_id)
        secure = unsubscribe_token(user, "tests.secure")
        hello = unsubscribe_token(user, "tests.hello")
        unknown = unsubscribe_token(user, "no.such.kind")
        user.deleted_at = sa.func.now()
        db.session.commit()
    for token in (secure, hello, unknown):
        assert client.post(f"/notifications/unsubscribe/{token}").status_code == 404


def test_signed_in_as_someone_else_still_unsubscribes_only_the_token_person(
    app, client, make_user, hello_kind
):
    alma, _alma_email = make_user("learner")
    boris, boris_email = make_user("learner")
    path = _link_in_email(app, alma)
    login(client, boris_email)
    client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert _channel(app, alma) == "platform"
    assert _channel(app, boris) is None
