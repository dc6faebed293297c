"""Certificates: issued on completing a course, verifiable by anyone, private otherwise."""

import re

from tests.conftest import complete_with_quiz, csrf_token, login, post_form


def finish_course(client):
    complete_with_quiz(client)
    post_form(
        client,
        "/courses/sample-course/second-steps/complete",
        token_from="/courses/sample-course/second-steps",
    )
    html = client.get("/me/learning").get_data(as_text=True)
    match = re.search(r"/certificates/(C4-[0-9A-Z-]+)", html)
    assert match, html
    return match.group(1)


def test_completing_a_course_issues_a_certificate(learner_client):
    code = finish_course(learner_client)
    html = learner_client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "Certificate of completion" in html and "Sample course" in html
    assert "Learner 1" in html and code in html and "1 h 30 min" in html
    assert f"/verify/{code}" in html


def test_verification_is_public_and_reveals_nothing_else(app, learner_client):
    code = finish_course(learner_client)
    anonymous = app.test_client()
    response = anonymous.get(f"/verify/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This certificate is genuine." in html and "Learner 1" in html
    assert "Sample course" in html
    assert "@example.org" not in html and "Future course" not in html
    # Typed without dashes and in lower case, it still verifies.
    assert anonymous.get(f"/verify/{code.replace('-', '').lower()}").status_code == 200


def test_unknown_code_is_a_clear_404(client):
    response = client.get("/verify/C4-AAAA-BBBB-CCCC")
    assert response.status_code == 404
    assert "We have no certificate with the code" in response.get_data(as_text=True)
    redirect = client.get("/verify?code=c4 aaaa bbbb cccc")
    assert redirect.headers["Location"] == "/verify/C4-AAAA-BBBB-CCCC"


def test_the_certificate_page_is_only_for_its_holder(client, make_user):
    _, first = make_user()
    _, second = make_user()
    login(client, first)
    code = finish_course(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, second)
    assert client.get(f"/certificates/{code}").status_code == 404


def test_one_certificate_per_course(app, learner_client):
    import sqlalchemy as sa

    from lms.certificates.models import Certificate
    from lms.extensions import db

    finish_course(learner_client)
    learner_client.get("/courses/sample-course/")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1


def test_the_quiz_result_that_completes_the_course_links_to_the_certificate(learner_client):
    """Issue 13, item 3: the last step of a course, a passed quiz, leads to the certificate."""
    post_form(
        learner_client,
        "/courses/sample-course/second-steps/complete",
        token_from="/courses/sample-course/second-steps",
    )
    response = complete_with_quiz(learner_client)
    html = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'id="certificate-link" href="(/certificates/C4-[0-9A-Z-]+)"', html)
    assert link, html
    assert learner_client.get(link.group(1)).status_code == 200


def test_a_result_before_the_course_is_complete_has_no_certificate_link(learner_client):
    response = complete_with_quiz(learner_client)
    html = learner_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="certificate-link"' not in html


def test_a_sync_that_archives_the_last_missing_module_issues_the_certificate(
    app, learner_client, content_dir
):
    from lms.certificates.models import Certificate
    from lms.extensions import db
    from lms.publishing.sync import sync_content

    complete_with_quiz(learner_client)  # the first module; the second is still to read
    course = content_dir / "technology/sample-course"
    (course / "02-second-steps.md").unlink()
    for page in ("01-first-steps.md", "01-first-steps.it.md"):  # their link to it goes too
        text = (course / page).read_text()
        (course / page).write_text(text.replace("(02-second-steps.md#details)", ""))
    with app.app_context():
        report = sync_content(content_dir)
        assert report.applied and "archived: module sample-course/second-steps" in report.changes
        db.session.commit()
        # Issued by the sync itself, before anyone opens a page.
        assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1
    html = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    assert "View your certificate" in html


def test_the_course_page_issues_nothing(app, learner_client):
    """A GET only shows: with every module complete but no certificate, it writes none."""
    from lms.certificates.models import Certificate
    from lms.extensions import db

    finish_course(learner_client)
    with app.app_context():
        db.session.execute(db.delete(Certificate))
        db.session.commit()
    html = learner_client.get("/courses/sample-course/").get_data(as_text=True)
    assert "You have completed this course" in html and "View your certificate" not in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_issuing_a_certificate_announces_it_once(learner_client):
    """``certificate_issued`` is sent with the new certificate (notifications subscribe to it)."""
    from lms.certificates.signals import certificate_issued

    received = []

    def receiver(certificate, **_):
        received.append(certificate.code)

    with certificate_issued.connected_to(receiver):
        code = finish_course(learner_client)
        learner_client.get("/courses/sample-course/")  # a page view issues nothing more
    assert received == [code]
