"""Helpers of the people's-side tests: a test-only kind of message with its own templates."""

import pytest
from flask_babel import lazy_gettext as _l
from jinja2 import ChoiceLoader, DictLoader

from lms.extensions import db
from lms.notifications import notify
from lms.notifications.kinds import GROUP_LEARNING, KINDS, Kind, register_kind

TEMPLATES = {
    "tests/messages/hello.subject.txt": "Hello about {{ topic }}",
    "tests/messages/hello.txt": "Dear {{ recipient.name }}, news about {{ topic }}.",
    "tests/messages/hello.html": (
        '{% extends "notifications/mail.html" %}{% block body %}'
        "<p>News about {{ topic }}.</p>{% endblock %}"
    ),
}

HELLO = Kind(
    name="tests.hello",
    label=_l("Test news"),
    group=GROUP_LEARNING,
    template="tests/messages/hello",
)
SECURE = Kind(
    name="tests.secure",
    label=_l("Test security notice"),
    group=GROUP_LEARNING,
    template="tests/messages/hello",
    security=True,
)


@pytest.fixture(name="hello_kind")
def hello_kind_fixture(app):
    """Register the test kinds and their templates for one test, then remove them."""
    register_kind(HELLO)
    register_kind(SECURE)
    app.jinja_env.loader = ChoiceLoader([DictLoader(TEMPLATES), app.jinja_env.loader])
    yield HELLO
    KINDS.pop(HELLO.name, None)
    KINDS.pop(SECURE.name, None)


def send_hello(app, user_id: int, key: str, topic: str = "pottery", link: str = "/my-learning"):
    """Record one test message for the person, as a feature would, and commit."""
    from lms.accounts.models import User

    with app.test_request_context():
        user = db.session.get(User, user_id)
        recorded = notify(
            HELLO.name, user, key, context={"topic": topic}, link=link, summary=f"About {topic}"
        )
        db.session.commit()
        return recorded
