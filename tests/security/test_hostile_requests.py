"""Requests no browser sends, found by the fuzzer (tests/fuzz): each answered, never a 500."""

from tests.conftest import csrf_token, login


def test_an_id_too_large_for_the_database_is_not_found(learner_client):
    # (Werkzeug says 405 when no rule takes the number and another method's rule exists.)
    for url in ("/attempts/99999999999999999999", "/facilitate/sessions/18446744073709551616/edit"):
        assert learner_client.get(url).status_code in (404, 405), url
    token = csrf_token(learner_client, "/me/sessions")
    response = learner_client.post(
        "/me/sessions/99999999999999999999/rsvp", data={"csrf_token": token, "answer": "yes"}
    )
    assert response.status_code == 404


def test_a_multipart_part_without_a_name_is_ignored(client, make_user):
    _, email = make_user("learner")
    login(client, email)
    token = csrf_token(client, "/join")
    body = (
        "--zzz\r\nContent-Disposition: form-data\r\n\r\nnameless\r\n"
        '--zzz\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f"{token}\r\n"
        '--zzz\r\nContent-Disposition: form-data; name="code"\r\n\r\nNOPE\r\n--zzz--\r\n'
    )
    response = client.post("/join", data=body, content_type="multipart/form-data; boundary=zzz")
    assert response.status_code == 422  # the form answered: no cohort has this code
    without_token = body.split('--zzz\r\nContent-Disposition: form-data; name="csrf_token"')[0]
    response = client.post(
        "/join",
        data=without_token + "--zzz--\r\n",
        content_type="multipart/form-data; boundary=zzz",
    )
    assert response.status_code == 400
