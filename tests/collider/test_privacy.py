"""The collider in a person's data download, and what deleting the account does to it."""

import json

import sqlalchemy as sa

from lms.collider.models import Interest, Post, Profile
from lms.extensions import db
from tests.collider.test_views import post_challenge, publish, signed_in
from tests.conftest import PASSWORD, post_form


def test_the_download_holds_the_profile_posts_and_interest(app, make_user):
    anna = signed_in(app, make_user)
    publish(anna)
    company = signed_in(app, make_user, role="facilitator")
    post_id = post_challenge(company)
    post_form(
        anna,
        f"/collider/posts/{post_id}/interest",
        {"message": "Count me in"},
        token_from=f"/collider/posts/{post_id}",
    )
    data = json.loads(
        post_form(anna, "/account/data", {"format": "json"}, token_from="/account/data").data
    )
    assert data["collider_profile"][0]["headline"].startswith("Packaging designer")
    assert "packaging-design" in data["collider_profile"][0]["tags"]
    assert data["collider_interests"][0]["message"] == "Count me in"
    theirs = json.loads(
        post_form(company, "/account/data", {"format": "json"}, token_from="/account/data").data
    )
    assert theirs["collider_posts"][0]["title"] == "Packaging for machine parts"
    assert theirs["collider_profile"] == []


def test_deleting_the_account_removes_the_profile_and_interest(app, make_user):
    anna = signed_in(app, make_user)
    publish(anna)
    company = signed_in(app, make_user, role="facilitator")
    post_id = post_challenge(company)
    post_form(
        anna,
        f"/collider/posts/{post_id}/interest",
        {"message": "Count me in"},
        token_from=f"/collider/posts/{post_id}",
    )
    response = post_form(
        anna,
        "/account/delete",
        {"password": PASSWORD, "confirm": "y"},
        token_from="/account/delete",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Profile.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Interest.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 1
