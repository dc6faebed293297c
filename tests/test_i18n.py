"""The UI in the learner's language: choosing it, switching it, plural forms, dates, numbers,
and catalogues complete enough to ship."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from lms.accounts.models import User
from lms.extensions import db
from lms.i18n.catalogues import TRANSLATIONS_DIR, catalogue_reports, placeholders
from lms.i18n.services import LANGUAGE_COOKIE
from lms.languages import UI_LANGUAGES
from lms.organisations.models import Organisation
from lms.templating import date_only, minutes_label, percent, points_label
from tests.conftest import csrf_token, login, post_form

#: Languages whose UI we offer: each must be complete (the test below), the rest fall back to English.
SHIPPED = tuple(code for code in UI_LANGUAGES if code != "en")
#: How many plural forms each catalogue must declare (gettext's rules for each language).
PLURAL_FORMS = {"it": 2, "de": 2, "sl": 4, "hr": 3, "cs": 3, "sk": 3, "pl": 3, "hu": 2}


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    """Compile any .po newer than its .mo, as `make` does, so a bare `pytest` tests them too."""
    for po in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(po, "rb") as source:
                catalog = read_po(source)
            with open(mo, "wb") as target:
                write_mo(target, catalog)


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def test_browser_asking_for_italian_gets_the_italian_ui(client):
    html = client.get("/login", headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert html_lang(html) == "it"
    assert "<h1>Accedi</h1>" in html
    assert "Indirizzo email" in html
    assert "Vai al contenuto principale" in html  # the skip link, from base.html


def test_each_shipped_language_names_its_page_in_its_own_language(client):
    expected = {"de": ("de", "Anmelden"), "sl": ("sl", "Prijava"), "en": ("en-GB", "Sign in")}
    for header, (lang, heading) in expected.items():
        html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
        assert html_lang(html) == lang
        assert f"<h1>{heading}</h1>" in html


def test_unknown_or_unfinished_language_falls_back_to_english(client):
    for header in ("xx", "fr-FR,fr;q=0.9", ""):
        html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
        assert html_lang(html) == "en-GB"
        assert "<h1>Sign in</h1>" in html


def test_saved_setting_wins_over_the_browser(app, client, make_user):
    user_id, email = make_user("learner")
    with app.app_context():
        db.session.get(User, user_id).locale = "de"
        db.session.commit()
    login(client, email)
    html = client.get("/me/learning", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert html_lang(html) == "de"
    assert "Mein Lernen" in html


def test_saved_language_no_longer_offered_falls_back_to_the_browser(app, client, make_user):
    user_id, email = make_user("learner")
    with app.app_context():
        db.session.get(User, user_id).locale = "de"
        db.session.commit()
    # The operator offers fewer languages (LMS_LANGUAGES=it,sl) than the person once chose.
    app.config["LMS_LANGUAGES"] = {c: UI_LANGUAGES[c] for c in ("en", "it", "sl")}
    login(client, email)
    html = client.get("/me/learning", headers={"Accept-Language": "sl"}).get_data(as_text=True)
    assert html_lang(html) == "sl"


def test_every_page_has_a_labelled_language_switcher_with_each_name_in_its_language(client):
    html = client.get("/courses/sample-course/").get_data(as_text=True)
    form = re.search(r'<form[^>]*class="language-switcher".*?</form>', html, re.S).group(0)
    assert 'action="/language"' in form and 'method="post"' in form
    assert 'name="csrf_token"' in form
    assert '<label for="language-switcher-select">Language</label>' in form
    assert 'name="next" value="/courses/sample-course/"' in form
    for code, name in (("en", "English"), ("it", "Italiano"), ("de", "Deutsch")):
        assert f'<option value="{code}" lang="{code}"' in form and f">{name}</option>" in form
    assert ">Slovenščina</option>" in form
    assert "<button" in form  # works without JavaScript


def test_switching_language_returns_to_the_same_page_and_is_remembered(client):
    page = "/courses/sample-course/?tab=modules"
    response = post_form(
        client, "/language", {"language": "it", "next": page}, token_from="/courses/sample-course/"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == page
    assert f"{LANGUAGE_COOKIE}=it" in response.headers["Set-Cookie"]
    # The cookie outranks the browser's own preference from now on.
    html = client.get(page, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert html_lang(html) == "it"
    assert "Inizia il corso" in html or "Accedi per iniziare" in html


def test_switching_while_signed_in_saves_the_setting(app, client, make_user):
    user_id, email = make_user("learner")
    login(client, email)
    post_form(client, "/language", {"language": "sl", "next": "/me/learning"}, token_from="/")
    with app.app_context():
        assert db.session.get(User, user_id).locale == "sl"
    client.delete_cookie(LANGUAGE_COOKIE)  # another browser: the account remembers
    html = client.get("/me/learning").get_data(as_text=True)
    assert html_lang(html) == "sl" and "Moje učenje" in html


def test_switcher_never_sends_people_to_another_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = post_form(client, "/language", {"language": "de", "next": target})
        assert response.status_code == 302
        assert response.headers["Location"] == "/"


def test_switcher_refuses_an_unknown_language_and_a_missing_token(client):
    response = post_form(client, "/language", {"language": "xx", "next": "/"})
    assert response.status_code == 400
    assert LANGUAGE_COOKIE not in response.headers.get("Set-Cookie", "")
    forged = client.post("/language", data={"language": "de", "next": "/"})
    assert forged.status_code == 400


def test_pages_tell_caches_they_vary_by_language(client):
    response = client.get("/")
    assert "Accept-Language" in response.headers["Vary"]


def test_sign_up_preselects_the_language_the_page_is_shown_in(client):
    html = client.get("/signup", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert re.search(r'<option selected value="it">|<option value="it" selected>', html), html


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 modul"), (2, "2 modula"), (3, "3 moduli"), (5, "5 modulov"), (101, "101 modul")],
)
def test_slovenian_counts_take_all_four_plural_forms(app, count, expected):
    with app.test_request_context(), force_locale("sl"):
        assert ngettext("%(num)d module", "%(num)d modules", count) == expected


def test_slovenian_plurals_on_a_page(client):
    # The sample course has two modules: the dual, not the plural.
    html = client.get("/", headers={"Accept-Language": "sl"}).get_data(as_text=True)
    assert "2 modula" in html


@pytest.mark.parametrize(
    ("count", "expected"), [(1, "1 točka"), (2, "2 točki"), (5, "5 točk"), (1.5, "1,5 točk")]
)
def test_quiz_points_read_right_in_slovenian_even_for_fractions(app, count, expected):
    with app.test_request_context(), force_locale("sl"):
        assert points_label(count) == expected


def test_dates_numbers_and_durations_follow_the_locale(app):
    moment = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    expected = {
        "en_GB": ("5 March 2026", "75%", "1 h 35 min"),
        "it": ("5 marzo 2026", "75%", "1 h 35 min"),
        "de": ("5. März 2026", "75\xa0%", "1 Std. 35 Min."),
        "sl": ("5. marec 2026", "75\xa0%", "1 h 35 min"),
    }
    with app.test_request_context():
        for locale, (day, share, duration) in expected.items():
            with force_locale(locale):
                assert date_only(moment) == day
                assert percent(75) == share
                assert minutes_label(95) == duration


def test_quiz_result_shows_the_score_the_german_way(client, make_user):
    from tests.conftest import FAILING, submit_quiz

    _user_id, email = make_user("learner")
    login(client, email)
    post_form(client, "/language", {"language": "de", "next": "/"}, token_from="/")
    result = submit_quiz(client, FAILING)
    html = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "Noch nicht bestanden" in html
    assert re.search(r"0\xa0% — 0 von \d+ Punkt", html)


def test_csv_exports_stay_in_english_whatever_the_ui_language(client, alma_and_boris):
    post_form(client, "/language", {"language": "it", "next": "/"}, token_from="/")
    csv_text = client.get(f"/facilitate/cohorts/{alma_and_boris}/export/matrix.csv").get_data(
        as_text=True
    )
    assert csv_text.lstrip("\ufeff").startswith("Learner,Email,Progress %")
    assert "failed the quiz of" in csv_text
    assert "Boris Behind" in csv_text


@pytest.mark.parametrize("language", SHIPPED)
def test_shipped_catalogue_is_complete_and_keeps_placeholders(language):
    """A translator's checklist: `lms translations status -v` lists what this test reports."""
    (report,) = [r for r in catalogue_reports() if r.language == language]
    assert report.total > 400  # the catalogue really holds the UI's strings
    assert report.untranslated == [], f"{language}: untranslated messages"
    assert report.fuzzy == [], f"{language}: fuzzy messages need review"
    assert report.placeholder_mismatches == [], f"{language}: placeholders differ"


def test_every_catalogue_declares_its_languages_plural_forms():
    reports = {r.language: r for r in catalogue_reports()}
    assert set(reports) == set(PLURAL_FORMS)
    for language, forms in PLURAL_FORMS.items():
        assert reports[language].plural_forms == forms, language


def test_catalogues_hold_every_message_of_the_template():
    with open(TRANSLATIONS_DIR / "messages.pot", "rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    for po in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"):
        with open(po, "rb") as handle:
            ids = {m.id for m in read_po(handle) if m.id}
        assert template <= ids, f"{po}: run make translations"


def test_placeholder_check_spots_a_translation_that_drops_one():
    assert placeholders("Welcome, %(name)s! %(num)d left, 50%%") == ["%", "name", "num"]
    assert placeholders("Benvenuto!") != placeholders("Welcome, %(name)s!")


def test_invited_learners_get_the_cohorts_language(app, client, make_user, make_cohort):
    fac_id, fac_email = make_user("facilitator")
    cohort_id = make_cohort([fac_id])
    with app.app_context():
        from lms.cohorts.models import Cohort

        db.session.get(Cohort, cohort_id).language = "it"
        db.session.commit()
    login(client, fac_email)
    url = f"/facilitate/cohorts/{cohort_id}/import"
    client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "csv_text": "Nina Nuova, nina@example.org",
            "action": "import",
        },
    )
    with app.app_context():
        nina = db.session.scalar(sa.select(User).where(User.email == "nina@example.org"))
        assert nina.locale == "it"


def test_translations_status_says_100_percent_for_every_offered_language(runner):
    from lms.cli import main

    result = runner.invoke(main, ["translations", "status"])
    assert result.exit_code == 0, result.output
    for language in SHIPPED:
        assert re.search(
            rf"^{language}: (\d+) of \1 translated \(100 %\), 0 untranslated, 0 fuzzy, "
            rf"0 with wrong placeholders \({PLURAL_FORMS[language]} plural forms\), offered$",
            result.output,
            re.M,
        ), result.output


def test_translations_status_lists_what_a_translator_has_left(runner, tmp_path):
    """On a translator's copy where Czech lost two messages and a plural form."""
    import shutil

    from lms.cli import main

    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    po = copy / "cs" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = re.sub(r'(msgid "Sign in"\nmsgstr )".+"', r'\1""', text, count=1)
    text = re.sub(r'(msgid "Sign out"\nmsgstr )".+"', r'\1""', text, count=1)
    # Czech needs three plural forms: a catalogue with only two is not complete.
    text, removed = re.subn(r'\nmsgstr\[2\] ".*"', "", text, count=1)
    assert removed == 1
    po.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["translations", "status", "-v", "--directory", str(copy)])
    assert result.exit_code == 0, result.output
    line = re.search(r"^cs: (\d+) of (\d+) translated \((\d+) %\), 3 untranslated", result.output, re.M)
    assert line, result.output
    assert int(line.group(1)) == int(line.group(2)) - 3 and int(line.group(3)) < 100
    assert "  untranslated: Sign in\n" in result.output
    assert "  untranslated: Sign out\n" in result.output


def test_calendar_feed_speaks_its_readers_language(app):
    from icalendar import Calendar

    from lms.cohorts.calendar import build_calendar
    from lms.cohorts.models import Cohort
    from tests.cohorts.test_calendar import make_meeting

    cohort = Cohort(id=3, name="Ljubljana", partner=Organisation(name="TECOS"))
    meeting = make_meeting(
        8,
        cohort,
        datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
        title="Online review",
        place="TECOS, Celje",
        online_url="https://meet.example/review",
        cancelled_at=datetime(2026, 1, 12, 15, 30, tzinfo=UTC),
    )
    meeting.modules = []
    with app.test_request_context(), force_locale("sl"):
        feed = build_calendar([meeting], "Srečanja", "https://academy.example")
    (event,) = Calendar.from_ical(feed).events
    assert str(event["SUMMARY"]) == "Odpovedano: Online review (Ljubljana)"
    assert "Spletna udeležba: https://meet.example/review" in str(event["DESCRIPTION"])


def test_operators_can_offer_fewer_languages_but_not_unfinished_ones(tmp_path):
    from lms.config import ConfigError, load_config

    offered = load_config(str(tmp_path), {"LMS_LANGUAGES": "it, sl"})["LMS_LANGUAGES"]
    assert offered == {"en": "English", "it": "Italiano", "sl": "Slovenščina"}
    assert list(load_config(str(tmp_path), {})["LMS_LANGUAGES"]) == list(UI_LANGUAGES)
    with pytest.raises(ConfigError, match="fr"):
        load_config(str(tmp_path), {"LMS_LANGUAGES": "it,fr"})


def test_catalogue_check_reports_each_kind_of_problem(tmp_path):
    from lms.i18n.catalogues import check_catalogue

    po = tmp_path / "messages.po"
    po.write_text(
        "#, fuzzy\n"
        'msgid ""\nmsgstr ""\n'
        '"Language: sl\\n"\n'
        '"Plural-Forms: nplurals=4; plural=(n%100==1 ? 0 : n%100==2 ? 1 : '
        'n%100==3 || n%100==4 ? 2 : 3);\\n"\n\n'
        'msgid "Sign in"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Sign out"\nmsgstr "Odjava"\n\n'
        'msgid "Welcome, %(name)s"\nmsgstr "Dobrodošli"\n\n'
        'msgid "%(num)d module"\nmsgid_plural "%(num)d modules"\n'
        'msgstr[0] "%(num)d modul"\nmsgstr[1] "%(num)d modula"\n'
        'msgstr[2] "moduli"\nmsgstr[3] "%(num)d modulov"\n',
        encoding="utf-8",
    )
    report = check_catalogue(po, "sl")
    assert report.plural_forms == 4 and report.total == 4
    assert report.untranslated == ["Sign in"]
    assert "Sign out" in report.fuzzy and any("header" in f for f in report.fuzzy)
    assert [msgid for msgid, _ in report.placeholder_mismatches] == [
        "Welcome, %(name)s",
        "%(num)d module",
    ]
    assert not report.complete


def test_committed_template_holds_every_message_of_the_source(tmp_path):
    """The .pot in git matches the code: else run `make translations` (and translate what is new)."""
    from babel.messages.frontend import CommandLineInterface

    root = TRANSLATIONS_DIR.parent.parent
    # The keywords `make translations` extracts with, read from the Makefile so both stay the same.
    makefile = (root / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    extract = re.search(r"pybabel -q extract (.*)", makefile).group(1)
    keywords = [arg for word in re.findall(r"-k\s+(\S+)", extract) for arg in ("-k", word)]
    assert keywords and "-F babel.cfg" in extract, extract
    fresh = tmp_path / "messages.pot"
    status = CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), *keywords, "--no-wrap"]
        + ["-o", str(fresh), str(root)]
    )
    assert not status

    def message_ids(path):
        with open(path, "rb") as handle:
            return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(handle) if m.id}

    source, committed = message_ids(fresh), message_ids(TRANSLATIONS_DIR / "messages.pot")
    assert len(source) > 400  # the extraction really found the UI's strings
    missing, stale = sorted(map(str, source - committed)), sorted(map(str, committed - source))
    assert not (missing or stale), (
        f"lms/translations/messages.pot is out of date: run `make translations`.\n"
        f"New in the code: {missing[:20]}\nNo longer in the code: {stale[:20]}"
    )


def test_authored_tables_are_named_in_the_readers_language(app):
    """The scrolling box around a table is labelled when the page is shown, not when the
    content was published (in whatever language the sync ran)."""
    from lms.content.render import Renderer
    from lms.templating import content_html

    html = Renderer().render("| a | b |\n|---|---|\n| 1 | 2 |\n").html
    with app.test_request_context(), force_locale("de"):
        shown = str(content_html(html))
    assert 'role="region" aria-label="Tabelle"' in shown and "<table>" in shown
    with app.test_request_context():
        assert 'aria-label="Data table"' in str(content_html(html))


@pytest.mark.parametrize(
    "language, expected",
    [("en", "Design, Robotics and Textiles"), ("de", "Design, Robotics und Textiles"),
     ("hu", "Design, Robotics és Textiles"), ("pl", "Design, Robotics i Textiles")],
)
def test_lists_read_as_the_language_writes_them(app, language, expected):
    from lms.templating import list_text

    with app.test_request_context(), force_locale(language):
        assert list_text(["Design", "Robotics", "Textiles"]) == expected
        assert list_text(["Design"]) == "Design" and list_text([]) == ""
