"""Notifications in a person's data download, and what deleting the account does to them."""

import json

import sqlalchemy as sa

from lms.extensions import db
from lms.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationSettings,
    OutboxMessage,
)
from tests.conftest import PASSWORD, login, logout, post_form
from tests.notifications.people import hello_kind_fixture, send_hello  # noqa: F401

PAGE = "/account/notifications"


def _download(client):
    response = post_form(client, "/account/data", {"format": "json"}, token_from="/account/data")
    assert response.status_code == 200
    return json.loads(response.get_data())


def test_the_download_holds_notifications_emails_and_choices(app, client, make_user, hello_kind):
    alma, alma_email = make_user("learner")
    boris, boris_email = make_user("learner")
    send_hello(app, alma, "a", topic="pottery")
    send_hello(app, boris, "a", topic="weaving")
    login(client, alma_email)
    post_form(client, PAGE, {"kind-tests-hello": "platform", "daily_digest": "y"}, token_from=PAGE)
    data = _download(client)
    assert [n["title"] for n in data["notifications"]] == ["Hello about pottery"]
    assert data["notifications"][0]["summary"] == "About pottery"
    assert data["notifications"][0]["read_at"] is None
    assert [(e["to"], e["subject"], e["status"]) for e in data["emails"]] == [
        (alma_email, "Hello about pottery", "queued")
    ]
    assert {"kind": "tests.hello", "channel": "platform"} in data["notification_preferences"]
    assert {"kind": "daily_digest", "channel": "on"} in data["notification_preferences"]
    assert "weaving" not in json.dumps(data)
    logout(client)


def test_deleting_the_account_removes_notifications_and_choices(app, client, make_user, hello_kind):
    alma, alma_email = make_user("learner")
    boris, _boris_email = make_user("learner")
    send_hello(app, alma, "a")
    send_hello(app, boris, "a")
    login(client, alma_email)
    post_form(client, PAGE, {"kind-tests-hello": "platform", "daily_digest": "y"}, token_from=PAGE)
    response = post_form(
        client,
        "/account/delete",
        {"password": PASSWORD, "confirm": "y"},
        token_from="/account/delete",
    )
    assert response.status_code == 302
    with app.app_context():
        for model in (Notification, OutboxMessage, NotificationPreference, NotificationSettings):
            users = db.session.scalars(sa.select(model.user_id)).all()
            assert alma not in users, model.__name__
        assert db.session.scalars(sa.select(Notification.user_id)).all() == [boris]


def test_the_privacy_notice_explains_notifications(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "Your notifications" in html
    assert "unsubscribe" in html.lower() or "stop" in html.lower()
