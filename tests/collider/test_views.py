"""Collider pages as people use them: profiles, who sees them, posts and interest."""

import re

import sqlalchemy as sa

from lms.collider.models import Interest, Post, Profile
from lms.extensions import db
from tests.conftest import login, post_form

PROFILE = {
    "headline": "Packaging designer working with recycled materials",
    "sector": "cci",
    "pitch": "I redesign packaging for circular materials.",
    "areas": ["mindset"],
    "skills": ["packaging-design", "circular-design"],
    "free_tags": "Biomaterials,  mycelium ",
    "languages": ["en", "sl"],
    "links": "https://example.org/portfolio",
    "show_courses": "y",
    "published": "y",
}


def signed_in(app, make_user, role="learner", name=None):
    client = app.test_client()
    user_id, email = make_user(role, name=name)
    login(client, email)
    client.user_id = user_id
    return client


def publish(client, **changes):
    data = {**PROFILE, **changes}
    if data.get("published") is None:
        data.pop("published")
    return post_form(client, "/collider/profile", data, token_from="/collider/profile")


def profile_id(app, user_id):
    with app.app_context():
        return db.session.scalar(sa.select(Profile.id).where(Profile.user_id == user_id))


def test_a_published_profile_shows_tags_links_and_is_seen_by_participants(app, make_user):
    anna = signed_in(app, make_user, name="Anna Novak")
    response = publish(anna)
    assert response.status_code == 302
    with app.app_context():
        profile = db.session.scalar(sa.select(Profile))
        assert sorted(t.tag for t in profile.tags) == [
            "biomaterials",
            "circular-design",
            "mycelium",
            "packaging-design",
        ]
    bob = signed_in(app, make_user, name="Bob")
    publish(bob, headline="Industrial photographer")
    page = bob.get(f"/collider/people/{profile_id(app, anna.user_id)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Packaging design" in html and "mycelium" in html
    assert "https://example.org/portfolio" in html
    assert "Anna Novak" in bob.get("/collider/people").get_data(as_text=True)


def test_people_are_hidden_from_those_without_a_published_profile(app, make_user):
    anna = signed_in(app, make_user)
    publish(anna)
    stranger = signed_in(app, make_user)
    assert stranger.get("/collider/people").status_code == 403
    assert stranger.get(f"/collider/people/{profile_id(app, anna.user_id)}").status_code == 403


def test_an_unpublished_profile_never_appears_in_lists_pages_or_suggestions(app, make_user):
    hidden = signed_in(app, make_user, name="Hidden Hana")
    publish(hidden, published=None)
    viewer = signed_in(app, make_user, name="Viewer")
    publish(viewer)  # the same tags: Hana would be the best fit if she were visible
    assert "Hidden Hana" not in viewer.get("/collider/people").get_data(as_text=True)
    assert viewer.get(f"/collider/people/{profile_id(app, hidden.user_id)}").status_code == 404
    assert "Hidden Hana" not in viewer.get("/collider/suggestions").get_data(as_text=True)
    # The owner still sees it, marked as not published.
    own = hidden.get(f"/collider/people/{profile_id(app, hidden.user_id)}")
    assert own.status_code == 200 and "until you publish it" in own.get_data(as_text=True)


def test_a_bad_portfolio_link_is_refused_next_to_the_field(app, make_user):
    anna = signed_in(app, make_user)
    response = publish(anna, links="javascript:alert(1)")
    assert response.status_code == 200
    assert "starting with https://" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Profile.id))) == 0


def post_challenge(client, **changes):
    data = {
        "kind": "challenge",
        "title": "Packaging for machine parts",
        "organisation_name": "Metalwerk d.o.o.",
        "body": "We need recyclable packaging for precision parts.",
        "area": "mindset",
        "skills": ["packaging-design"],
        "visibility": "participants",
        **changes,
    }
    response = post_form(client, "/collider/posts/new", data, token_from="/collider/posts/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/collider/posts/(\d+)", response.headers["Location"]).group(1))


def test_suggestions_put_the_challenge_that_needs_my_skill_first_with_reasons(app, make_user):
    company = signed_in(app, make_user, role="facilitator")
    fit = post_challenge(company)
    post_challenge(
        company,
        title="Laser sintering parameters",
        skills=[],
        area="technology",
        body="Tune titanium sintering.",
    )
    anna = signed_in(app, make_user)
    publish(anna)
    html = anna.get("/collider/suggestions").get_data(as_text=True)
    first = html.index("Packaging for machine parts")
    assert "Laser sintering" not in html[:first]
    assert "Needed and offered: Packaging design" in html
    assert f"/collider/posts/{fit}" in html


def test_participants_only_posts_are_hidden_from_anonymous_visitors(app, client, make_user):
    company = signed_in(app, make_user, role="facilitator")
    hidden = post_challenge(company)
    public = post_challenge(company, title="Open call for designers", visibility="public")
    listing = client.get("/collider/posts").get_data(as_text=True)
    assert "Open call for designers" in listing and "Packaging for machine parts" not in listing
    assert client.get(f"/collider/posts/{public}").status_code == 200
    assert client.get(f"/collider/posts/{hidden}").status_code == 404


def test_interest_is_recorded_once_and_only_the_author_sees_and_answers_it(app, make_user):
    company = signed_in(app, make_user, role="facilitator")
    post_id = post_challenge(company)
    anna = signed_in(app, make_user, name="Anna")
    publish(anna)
    url = f"/collider/posts/{post_id}/interest"
    for _ in range(2):
        assert (
            post_form(
                anna,
                url,
                {"message": "I did this for a bakery."},
                token_from=f"/collider/posts/{post_id}",
            ).status_code
            == 302
        )
    with app.app_context():
        interest = db.session.scalar(sa.select(Interest))
        assert db.session.scalar(sa.select(sa.func.count(Interest.id))) == 1
    assert "I did this for a bakery." in company.get(f"/collider/posts/{post_id}").get_data(
        as_text=True
    )
    other = signed_in(app, make_user)
    publish(other)
    assert "I did this for a bakery." not in other.get(f"/collider/posts/{post_id}").get_data(
        as_text=True
    )
    answer = f"/collider/interests/{interest.id}/answer"
    refused = post_form(other, answer, {"status": "declined"}, token_from="/collider/posts")
    assert refused.status_code == 404
    post_form(
        company,
        answer,
        {"status": "shortlisted", "reply": "Let us meet."},
        token_from="/collider/posts",
    )
    mine = anna.get(f"/collider/posts/{post_id}").get_data(as_text=True)
    assert "Shortlisted" in mine and "Let us meet." in mine


def test_only_the_author_edits_or_closes_a_post(app, make_user):
    company = signed_in(app, make_user, role="facilitator")
    post_id = post_challenge(company)
    anna = signed_in(app, make_user)
    publish(anna)
    assert anna.get(f"/collider/posts/{post_id}/edit").status_code == 403
    assert (
        post_form(
            anna,
            f"/collider/posts/{post_id}/status",
            {"status": "closed"},
            token_from="/collider/posts",
        ).status_code
        == 403
    )
    post_form(
        company,
        f"/collider/posts/{post_id}/status",
        {"status": "closed"},
        token_from="/collider/posts",
    )
    with app.app_context():
        assert db.session.get(Post, post_id).status == "closed"
    assert anna.get(f"/collider/posts/{post_id}").status_code == 404


def test_absurd_page_numbers_are_clamped(app, make_user, client):
    anna = signed_in(app, make_user)
    publish(anna)
    for url in (
        "/collider/people?page=99999999999999999999",
        "/collider/people?page=-3",
        "/collider/posts?page=abc",
        "/collider/posts?page=99999999999999999999",
    ):
        who = client if "posts" in url else anna
        assert who.get(url).status_code == 200, url


def test_an_organisation_page_lists_its_people_with_published_profiles(app, make_user):
    from lms.accounts.models import User
    from lms.organisations.models import Organisation

    anna = signed_in(app, make_user, name="Anna Novak")
    publish(anna)
    hidden = signed_in(app, make_user, name="Hidden Hana")
    publish(hidden, published=None)
    with app.app_context():
        org = Organisation(name="Studio Novak", country="SI", kind="cci")
        db.session.add(org)
        db.session.flush()
        for uid in (anna.user_id, hidden.user_id):
            db.session.get(User, uid).organisation_id = org.id
        db.session.get(User, anna.user_id).country = "SI"
        db.session.commit()
        org_id = org.id
    page = anna.get(f"/collider/organisations/{org_id}").get_data(as_text=True)
    assert "Studio Novak" in page and "Anna Novak" in page and "Hidden Hana" not in page
    profile = anna.get(f"/collider/people/{profile_id(app, anna.user_id)}").get_data(as_text=True)
    assert f"/collider/organisations/{org_id}" in profile and "Slovenia" in profile
    stranger = signed_in(app, make_user)
    assert stranger.get(f"/collider/organisations/{org_id}").status_code == 403
