"""Notifications in the browser: the header's count, the list, the preferences by keyboard,
a phone's width, axe-core and the Nu Html Checker (issue 16)."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from playwright.sync_api import expect

from lms.extensions import db
from lms.notifications.kinds import GROUP_LEARNING, KINDS, Kind, register_kind
from lms.notifications.models import Notification, NotificationPreference, NotificationSettings
from lms.notifications.unsubscribe import unsubscribe_token
from tests.e2e.conftest import in_app, open_menu, sign_in, vnu_messages

HELLO = Kind(
    name="tests.e2e-hello",
    label=_l("Test news"),
    group=GROUP_LEARNING,
    template="tests/messages/hello",
)
OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def hello_kind():
    register_kind(HELLO)
    yield HELLO
    KINDS.pop(HELLO.name, None)


@pytest.fixture
def learner_with_news(live_app, make_account):
    """A learner with three unread notifications (written as notify() writes them)."""
    user_id, email = make_account()
    with in_app(live_app):
        for n, topic in enumerate(("pottery", "weaving", "glass")):
            db.session.add(
                Notification(
                    user_id=user_id,
                    kind=HELLO.name,
                    key=f"e2e:{n}",
                    title=f"Hello about {topic}",
                    summary=f"About {topic}",
                    link="/my-learning",
                )
            )
        db.session.commit()
    return user_id, email


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_header_counts_unread_and_the_list_opens_them(
    viewport, new_context, learner_with_news, hello_kind, assert_accessible
):
    _user_id, email = learner_with_news
    page = new_context(viewport).new_page()
    sign_in(page, email)
    page.goto("/my-learning")
    open_menu(page)
    bell = page.locator("#nav-notifications")
    expect(bell).to_be_visible()
    expect(bell).to_have_accessible_name(re.compile(r"Notifications, 3 unread"))
    bell.click()
    expect(page).to_have_url(re.compile(r"/notifications$"))
    items = page.locator("ol.notification-list > li")
    expect(items).to_have_count(3)
    expect(page.locator("li.notification-unread")).to_have_count(3)
    assert_accessible(page)
    assert page.evaluate(OVERFLOW_JS) <= 0
    items.first.locator("a").click()
    expect(page).to_have_url(re.compile(r"/my-learning$"))
    page.goto("/notifications")
    expect(page.locator("li.notification-unread")).to_have_count(2)
    page.click('form[action="/notifications/read"] button[type="submit"]')
    expect(page.locator("li.notification-unread")).to_have_count(0)
    open_menu(page)
    expect(page.locator("#nav-notifications")).to_have_accessible_name("Notifications")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_preferences_by_keyboard(
    viewport, live_app, new_context, make_account, hello_kind, assert_accessible
):
    user_id, email = make_account()
    page = new_context(viewport).new_page()
    sign_in(page, email)
    page.goto("/account/notifications")
    assert_accessible(page)
    assert page.evaluate(OVERFLOW_JS) <= 0
    email_choice = page.locator('input[name="kind-tests-e2e-hello"][value="email"]')
    expect(email_choice).to_be_checked()
    email_choice.focus()
    page.keyboard.press("ArrowDown")  # a radio group moves its choice with the arrow keys
    expect(page.locator('input[name="kind-tests-e2e-hello"][value="platform"]')).to_be_checked()
    # Other kinds' choices come between (lms/notifications/catalogue.py): go to the box.
    page.locator("#daily_digest").focus()
    expect(page.locator("#daily_digest")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#daily_digest")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the Save button
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator('input[name="kind-tests-e2e-hello"][value="platform"]')).to_be_checked()
    with in_app(live_app):
        assert db.session.get(NotificationPreference, (user_id, HELLO.name)).channel == "platform"
        assert db.session.get(NotificationSettings, user_id).daily_digest is True


def test_unsubscribing_from_an_email_link_without_signing_in(
    live_app, new_context, make_account, hello_kind, assert_accessible
):
    user_id, _email = make_account()
    with live_app.test_request_context():
        from lms.accounts.models import User

        token = unsubscribe_token(db.session.get(User, user_id), HELLO.name)
        db.session.remove()
    page = new_context("phone").new_page()
    page.goto(f"/notifications/unsubscribe/{token}")
    assert_accessible(page)
    page.click(f'form[action="/notifications/unsubscribe/{token}"] button[type="submit"]')
    expect(page.locator('main a[href="/account/notifications"]')).to_be_visible()
    with in_app(live_app):
        assert db.session.get(NotificationPreference, (user_id, HELLO.name)).channel == "platform"
    response = page.goto("/notifications/unsubscribe/not-a-token")
    assert response.status == 404
    assert_accessible(page)


def test_the_notification_pages_are_valid_html(
    live_app, new_context, learner_with_news, hello_kind, tmp_path
):
    user_id, email = learner_with_news
    with live_app.test_request_context():
        from lms.accounts.models import User

        token = unsubscribe_token(db.session.get(User, user_id), HELLO.name)
        db.session.remove()
    page = new_context().new_page()
    sign_in(page, email)
    files = []
    for name, path in [
        ("list", "/notifications"),
        ("preferences", "/account/notifications"),
        ("account", "/account"),
        ("unsubscribe", f"/notifications/unsubscribe/{token}"),
        ("unsubscribe-invalid", "/notifications/unsubscribe/not-a-token"),
    ]:
        response = page.goto(path)
        target = tmp_path / f"{name}.html"
        target.write_bytes(response.body())
        files.append(target)
    with in_app(live_app):
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Notification)
                .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            )
            == 3
        )
    messages = vnu_messages(files)
    report = "\n".join(
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}" for m in messages
    )
    assert not messages, report
