"""The JSON API and the health check."""

from tests.conftest import post_form


def test_catalogue_api_lists_published_courses(client):
    data = client.get("/api/v1/courses").json
    assert data["count"] == 2
    first = data["courses"][0]
    assert first["slug"] == "sample-course" and first["area"] == "technology"
    assert first["modules"] == 2 and first["duration_hours"] == 1.5
    assert [c["slug"] for c in client.get("/api/v1/courses?area=trends").json["courses"]] == [
        "future-course"
    ]


def test_catalogue_api_rejects_an_unknown_area_with_json(client):
    response = client.get("/api/v1/courses?area=cooking")
    assert response.status_code == 400
    assert "Unknown area cooking" in response.json["error"]["message"]


def test_progress_api_needs_sign_in(client):
    response = client.get("/api/v1/me/progress")
    assert response.status_code == 401
    assert response.json["error"]["code"] == 401


def test_progress_api_reports_courses_and_modules(learner_client):
    learner_client.get("/courses/sample-course/first-steps")
    post_form(
        learner_client,
        "/courses/sample-course/second-steps/complete",
        token_from="/courses/sample-course/second-steps",
    )
    data = learner_client.get("/api/v1/me/progress").json
    [course] = data["courses"]
    assert course["course"] == "sample-course"
    assert (course["completed_modules"], course["total_modules"], course["percent"]) == (1, 2, 50)
    assert [(m["slug"], m["status"]) for m in course["modules"]] == [
        ("first-steps", "in_progress"),
        ("second-steps", "completed"),
    ]


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.json["error"]["code"] == 404


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert response.json["checks"]["database"]["status"] == "ok"
