"""Class lists as people save them (issue 13, item 7): UTF-8 with or without BOM, UTF-16, and
the Windows code page Excel saves "CSV" in for the cohort's language; the preview says which."""

import pytest

from lms.cohorts import classlist
from lms.cohorts.models import Cohort
from lms.extensions import db
from tests.cohorts.test_upload_limits import upload
from tests.conftest import login

CENTRAL = "name;email\nŽiga Černič;ziga@example.org\nAnča Kovač;anca@example.org\nŁukasz Wójcik;lw@example.org\n"
WESTERN = "name,email\nJürgen Müller,jm@example.org\nNiccolò Bianchi,nb@example.org\nFrançoise Léa,fl@example.org\n"


@pytest.fixture
def cohort(app, client, make_user, make_cohort):
    fac_id, fac_email = make_user("facilitator")
    cohort_id = make_cohort([fac_id])
    login(client, fac_email)

    def in_language(language):
        with app.app_context():
            db.session.get(Cohort, cohort_id).language = language
            db.session.commit()
        return f"/facilitate/cohorts/{cohort_id}/import"

    return in_language


@pytest.mark.parametrize(
    "language, text, encoding, label",
    [
        ("sl", CENTRAL, "utf-8", "UTF-8"),
        ("sl", CENTRAL, "utf-8-sig", "UTF-8 (BOM)"),
        ("de", WESTERN, "utf-16", "UTF-16"),
        ("sl", CENTRAL.replace("Łukasz Wójcik;lw@example.org\n", ""), "cp1250", "Windows-1250"),
        ("pl", CENTRAL, "cp1250", "Windows-1250"),
        ("de", WESTERN, "cp1252", "Windows-1252"),
        ("it", WESTERN, "cp1252", "Windows-1252"),
    ],
)
def test_the_names_arrive_intact_and_the_preview_says_how_the_file_was_read(
    cohort, client, language, text, encoding, label
):
    response = upload(client, cohort(language), text.encode(encoding))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    for line in text.splitlines()[1:]:
        assert line.replace(";", ",").split(",")[0] in html, line
    assert f"The file was read as {label}." in html


def test_a_row_without_an_email_says_the_email_is_missing(app):
    with app.app_context():
        rows = classlist.parse_class_list("name,email\nAna Novak\nBo,\n", cohort_id=1)
    assert [(r.line, r.reason) for r in rows] == [
        (2, "The email address is missing."),
        (3, "The email address is missing."),
    ]


def test_decode_reads_utf8_first_whatever_the_cohort_language():
    assert classlist.decode("Žiga,z@example.org\n".encode(), "de") == ("Žiga,z@example.org\n", "UTF-8")
    # Bytes that are not UTF-8 in a German cohort: Windows-1252.
    assert classlist.decode("Müller,m@example.org".encode("cp1252"), "de")[0].startswith("Müller")
