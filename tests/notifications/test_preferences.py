"""Each person decides: the preferences page, honoured by notify() (issue 16, item 2)."""

import sqlalchemy as sa

from lms.extensions import db
from lms.notifications.models import (
    Notification,
    NotificationPreference,
    NotificationSettings,
    OutboxMessage,
)
from tests.conftest import post_form
from tests.notifications.people import hello_kind_fixture, send_hello  # noqa: F401

PAGE = "/account/notifications"


def _rows(app, model, user_id):
    with app.app_context():
        return db.session.scalars(sa.select(model).where(model.user_id == user_id)).all()


def test_page_groups_kinds_with_a_fieldset_and_labelled_radios(learner_client, hello_kind):
    html = learner_client.get(PAGE).get_data(as_text=True)
    assert "<h2" in html and "Your learning" in html
    assert "<legend>Test news</legend>" in html
    assert (
        '<label class="check"><input checked id="kind-tests-hello-0" name="kind-tests-hello"'
        ' type="radio" value="email"> By email and on the platform</label>'
    ) in html
    assert 'type="radio" value="platform"> On the platform only</label>' in html
    assert 'type="radio" value="off"> Off</label>' in html
    # The security kind is shown as fixed, with no choice to make.
    assert "<legend>Test security notice</legend>" in html
    assert "Always by email" in html
    assert 'name="kind-tests-secure"' not in html
    assert "Daily digest" in html


def test_account_page_and_list_link_to_the_preferences(learner_client, hello_kind):
    assert f'href="{PAGE}"' in learner_client.get("/account").get_data(as_text=True)
    assert f'href="{PAGE}"' in learner_client.get("/notifications").get_data(as_text=True)


def test_saving_off_records_nothing(app, learner_client, hello_kind):
    response = post_form(learner_client, PAGE, {"kind-tests-hello": "off"}, token_from=PAGE)
    assert response.status_code == 302
    assert "Your notification choices are saved." in learner_client.get(PAGE).get_data(as_text=True)
    assert send_hello(app, learner_client.user_id, "a") is None
    assert _rows(app, Notification, learner_client.user_id) == []
    assert _rows(app, OutboxMessage, learner_client.user_id) == []
    # The page shows the choice made.
    assert 'checked id="kind-tests-hello-2"' in learner_client.get(PAGE).get_data(as_text=True)


def test_platform_only_records_an_entry_and_no_email(app, learner_client, hello_kind):
    post_form(learner_client, PAGE, {"kind-tests-hello": "platform"}, token_from=PAGE)
    send_hello(app, learner_client.user_id, "a")
    assert len(_rows(app, Notification, learner_client.user_id)) == 1
    assert _rows(app, OutboxMessage, learner_client.user_id) == []
    assert "1 unread" in learner_client.get("/notifications").get_data(as_text=True)


def test_the_default_records_an_entry_and_an_email(app, learner_client, hello_kind):
    post_form(learner_client, PAGE, {"kind-tests-hello": "email"}, token_from=PAGE)
    send_hello(app, learner_client.user_id, "a")
    emails = _rows(app, OutboxMessage, learner_client.user_id)
    assert [m.status for m in emails] == ["queued"]
    assert len(_rows(app, Notification, learner_client.user_id)) == 1
    # Only differences from the default are stored.
    assert _rows(app, NotificationPreference, learner_client.user_id) == []


def test_daily_digest_holds_the_email(app, learner_client, hello_kind):
    post_form(
        learner_client, PAGE, {"kind-tests-hello": "email", "daily_digest": "y"}, token_from=PAGE
    )
    (settings,) = _rows(app, NotificationSettings, learner_client.user_id)
    assert settings.daily_digest is True
    send_hello(app, learner_client.user_id, "a")
    assert [m.status for m in _rows(app, OutboxMessage, learner_client.user_id)] == ["digest"]
    html = learner_client.get(PAGE).get_data(as_text=True)
    assert 'checked id="daily_digest"' in html
    assert 'id="daily_digest-help"' in html


def test_a_choice_that_is_not_offered_gets_a_message_not_a_500(app, learner_client, hello_kind):
    response = post_form(learner_client, PAGE, {"kind-tests-hello": "sms"}, token_from=PAGE)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="field-error" id="kind-tests-hello-error"' in html
    assert _rows(app, NotificationPreference, learner_client.user_id) == []


def test_security_kinds_cannot_be_turned_off(app, learner_client, hello_kind):
    post_form(
        learner_client,
        PAGE,
        {"kind-tests-hello": "email", "kind-tests-secure": "off"},
        token_from=PAGE,
    )
    assert _rows(app, NotificationPreference, learner_client.user_id) == []


def test_preferences_need_sign_in(client, hello_kind):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
