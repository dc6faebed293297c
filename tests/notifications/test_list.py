"""The notification list and the header's unread count (issue 16, item 1)."""

import sqlalchemy as sa

from lms.extensions import db
from lms.notifications.models import Notification
from tests.conftest import login, logout, post_form
from tests.notifications.people import hello_kind_fixture, send_hello  # noqa: F401


def _unread(app, user_id):
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )


def test_visitor_sees_no_bell_and_the_list_asks_to_sign_in(client, hello_kind):
    html = client.get("/").get_data(as_text=True)
    assert "nav-notifications" not in html
    response = client.get("/notifications")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_empty_list_says_so(learner_client, hello_kind):
    html = learner_client.get("/notifications").get_data(as_text=True)
    assert "You have no notifications yet" in html
    assert "Mark all as read" not in html
    assert 'id="nav-notifications"' in html
    assert "unread" not in html


def test_header_counts_unread_and_list_shows_newest_first(app, learner_client, hello_kind):
    user_id = learner_client.user_id
    send_hello(app, user_id, "a", topic="pottery")
    send_hello(app, user_id, "b", topic="weaving")
    send_hello(app, user_id, "c", topic="glass")
    html = learner_client.get("/notifications").get_data(as_text=True)
    assert 'aria-label="Notifications, 3 unread"' in html
    assert html.index("Hello about glass") < html.index("Hello about weaving")
    assert html.index("Hello about weaving") < html.index("Hello about pottery")
    assert "About glass" in html  # the summary
    assert html.count('badge-progress">Unread') == 3
    # The phone menu's summary names the count too.
    assert 'aria-label="Menu, 3 unread notifications"' in html


def test_opening_one_marks_it_read_and_follows_its_link(app, learner_client, hello_kind):
    entry = send_hello(app, learner_client.user_id, "a", link="/my-learning")
    with app.app_context():
        entry_id = db.session.scalar(sa.select(Notification.id))
    response = learner_client.get(f"/notifications/{entry_id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/my-learning"
    assert _unread(app, learner_client.user_id) == 0
    html = learner_client.get("/notifications").get_data(as_text=True)
    assert 'badge-progress">Unread' not in html
    assert entry is not None


def test_a_link_to_another_site_is_not_followed(app, learner_client, hello_kind):
    send_hello(app, learner_client.user_id, "a", link="//evil.example/")
    with app.app_context():
        entry_id = db.session.scalar(sa.select(Notification.id))
    response = learner_client.get(f"/notifications/{entry_id}")
    assert response.headers["Location"] == "/notifications"


def test_someone_elses_notification_is_a_404(app, client, make_user, hello_kind):
    alma, alma_email = make_user("learner")
    boris, boris_email = make_user("learner")
    send_hello(app, alma, "a")
    with app.app_context():
        entry_id = db.session.scalar(sa.select(Notification.id))
    login(client, boris_email)
    assert client.get(f"/notifications/{entry_id}").status_code == 404
    assert client.get("/notifications/999999").status_code == 404
    assert "Hello about" not in client.get("/notifications").get_data(as_text=True)
    assert _unread(app, alma) == 1
    logout(client)


def test_mark_all_as_read(app, learner_client, hello_kind):
    for key in "abc":
        send_hello(app, learner_client.user_id, key)
    response = post_form(learner_client, "/notifications/read", token_from="/notifications")
    assert response.status_code == 302
    assert _unread(app, learner_client.user_id) == 0
    html = learner_client.get("/notifications").get_data(as_text=True)
    assert "3 notifications marked as read." in html
    assert "Mark all as read" not in html


def test_mark_all_as_read_without_csrf_changes_nothing(app, learner_client, hello_kind):
    send_hello(app, learner_client.user_id, "a")
    response = learner_client.post("/notifications/read", data={})
    assert response.status_code in (302, 400)
    assert _unread(app, learner_client.user_id) == 1


def test_list_is_paged(app, learner_client, hello_kind):
    app.config["LMS_PAGE_SIZE"] = 2
    for key in "abcde":
        send_hello(app, learner_client.user_id, key, topic=f"topic-{key}")
    first = learner_client.get("/notifications").get_data(as_text=True)
    assert first.count('class="notification-title"') == 2
    assert 'rel="next"' in first
    third = learner_client.get("/notifications?page=3").get_data(as_text=True)
    assert third.count('class="notification-title"') == 1
    far = learner_client.get("/notifications?page=99999999999")
    assert far.status_code == 200
    assert "There is nothing on this page." in far.get_data(as_text=True)


def test_header_count_is_one_query_per_page(app, learner_client, hello_kind):
    send_hello(app, learner_client.user_id, "a")
    statements = []

    def count(conn, cursor, statement, *args):
        if "count(" in statement.lower() and "read_at IS NULL" in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        html = learner_client.get("/account").get_data(as_text=True)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1  # the menu's summary and the link share it
    assert 'aria-label="Notifications, 1 unread"' in html
