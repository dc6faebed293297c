"""In the room: the projector page with the check-in code, and taking attendance on a phone."""

import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from lms.accounts.models import User
from lms.cohorts.attendance import record_attendance
from lms.cohorts.models import Meeting
from lms.cohorts.operations import add_member, create_cohort, new_token
from lms.courses.models import Course
from lms.extensions import db, utcnow
from tests.e2e.conftest import in_app, sign_in, vnu_messages
from tests.e2e.course import shortest_course
from tests.factories import make_meeting

#: The brief's two screens: a laptop, and a tall phone (375 x 812).
SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}

#: How much of the screen's smaller side the QR code takes at least.
QR_SHARE = 0.8


class Room:
    """A cohort of 14 in a session that started ten minutes ago; its facilitator."""

    def __init__(self, live_app, make_account, learners: int = 14):
        self.facilitator_id, self.facilitator_email = make_account("facilitator", "Romy Room")
        self.learners = [
            make_account("learner", f"Learner {n:02d} {uuid.uuid4().hex[:4]}")
            for n in range(1, learners)
        ]
        # Last in the list (sorted by name): the row a sticky save bar would cover.
        self.learners.append(make_account("learner", "Zora Zuletzt"))
        with in_app(live_app):
            course = db.session.scalar(
                sa.select(Course).where(Course.slug == shortest_course().slug)
            )
            today = dt.date.today()
            cohort = create_cohort(
                f"Room cohort {uuid.uuid4().hex[:6]}",
                "Partner",
                "en",
                today - dt.timedelta(days=10),
                today + dt.timedelta(days=60),
                [course.id],
                [self.facilitator_id],
            )
            for user_id, _email in self.learners:
                add_member(
                    cohort, db.session.get(User, user_id), joined_at=utcnow() - dt.timedelta(days=3)
                )
            now = utcnow()
            meeting = make_meeting(
                cohort_id=cohort.id,
                title="Prototyping lab: sensors and light",
                starts_at=now - dt.timedelta(minutes=10),
                ends_at=now + dt.timedelta(hours=2),
                timezone="Europe/Vienna",
                place="Tovarna, Maribor",
                checkin_token=new_token(),
            )
            db.session.commit()
            self.cohort_id, self.meeting_id = cohort.id, meeting.id
            self.token = meeting.checkin_token

    @property
    def projector(self) -> str:
        return f"/facilitate/sessions/{self.meeting_id}/checkin-code"

    @property
    def attendance(self) -> str:
        return f"/facilitate/sessions/{self.meeting_id}/attendance"


@pytest.fixture
def room(live_app, make_account) -> Room:
    return Room(live_app, make_account)


@pytest.fixture(params=list(SCREENS))
def screen(request) -> str:
    return request.param


@pytest.fixture
def facilitator_page(browser, base_url, room, screen):
    context = browser.new_context(base_url=base_url, locale="en-GB", **SCREENS[screen])
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, room.facilitator_email)
    yield page
    context.close()


def test_the_projector_page_shows_the_code_as_large_as_the_screen_allows(
    facilitator_page: Page, room, screen, shots, assert_accessible
):
    page = facilitator_page
    page.goto(room.projector)
    shots(page, f"projector-{screen}")
    expect(page.locator(".site-header, .site-footer, .site-nav")).to_have_count(0)
    expect(page.locator("h1")).to_have_text("Prototyping lab: sensors and light")
    expect(page.locator("#checkin-count")).to_have_text("0 of 14 checked in")
    expect(page.locator("#checkin-url")).to_contain_text(f"/checkin/{room.token}")
    width, height = SCREENS[screen]["viewport"].values()
    box = page.locator(".qr svg").bounding_box()
    assert min(box["width"], box["height"]) >= QR_SHARE * min(width, height), box
    # All of it on the screen, centred across it (phone) or in its column (landscape).
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, box
    # Nothing to scroll: a projector has no one to scroll it.
    sizes = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert sizes[0] <= width and sizes[1] <= height, sizes
    expect(page.locator("#back-to-attendance")).to_have_attribute("href", room.attendance)
    assert_accessible(page)


def test_the_count_on_the_projector_follows_check_ins_without_a_reload(
    facilitator_page: Page, browser, base_url, room, screen
):
    page = facilitator_page
    page.goto(room.projector)
    page.evaluate("() => { window.stillTheSamePage = true; }")
    learner = browser.new_context(base_url=base_url, locale="en-GB", **SCREENS["phone"])
    phone = learner.new_page()
    sign_in(phone, room.learners[0][1])
    phone.goto(f"/checkin/{room.token}")
    phone.click('main form[method="post"] button[type="submit"]')
    learner.close()
    expect(page.locator("#checkin-count")).to_have_text("1 of 14 checked in", timeout=15_000)
    assert page.evaluate("() => window.stillTheSamePage === true")


def test_without_javascript_the_projector_page_reloads_itself(browser, base_url, room, live_app):
    context = browser.new_context(
        base_url=base_url, locale="en-GB", java_script_enabled=False, **SCREENS["desktop"]
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, room.facilitator_email)
    page.goto(room.projector)
    expect(page.locator("#checkin-count")).to_have_text("0 of 14 checked in")
    with in_app(live_app):
        meeting = db.session.get(Meeting, room.meeting_id)
        record_attendance(meeting, {room.learners[0][0]: "present"}, None, "checkin")
        db.session.commit()
    with page.expect_navigation(timeout=25_000):
        pass
    expect(page.locator("#checkin-count")).to_have_text("1 of 14 checked in")
    context.close()


#: The save bar's box and the last row's, after scrolling to the very bottom.
BOXES_JS = """
() => {
  window.scrollTo(0, document.documentElement.scrollHeight);
  const bar = document.querySelector('.save-bar').getBoundingClientRect();
  const rows = document.querySelectorAll('.attendance-list > li');
  const last = rows[rows.length - 1].getBoundingClientRect();
  return {bar: {top: bar.top, bottom: bar.bottom}, last: {top: last.top, bottom: last.bottom},
          height: window.innerHeight};
}
"""


#: The focused learner's row and the save bar, where they are on the screen.
ROW_JS = """
() => {
  const row = document.activeElement.closest('.attendance-list > li').getBoundingClientRect();
  const bar = document.querySelector('.save-bar').getBoundingClientRect();
  return {row: {top: row.top, bottom: row.bottom}, bar: {top: bar.top},
          focused: document.activeElement.name};
}
"""


def test_the_save_bar_never_covers_the_last_learner(
    facilitator_page: Page, room, screen, shots, assert_accessible
):
    page = facilitator_page
    page.goto(room.attendance)
    boxes = page.evaluate(BOXES_JS)
    assert boxes["last"]["bottom"] <= boxes["bar"]["top"] + 0.5, boxes
    assert boxes["last"]["top"] >= 0, boxes
    shots(page, f"attendance-{screen}")
    page.screenshot(path=str(shots.folder / f"attendance-{screen}-bottom.png"))
    # Going down the list with the keyboard: each learner's row comes into view clear of the bar.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.focus('button[name="action"][value="all_present"]')
    for _ in room.learners:
        page.keyboard.press("Tab")  # one stop per learner (a radio group)
        boxes = page.evaluate(ROW_JS)
        assert boxes["row"]["bottom"] <= boxes["bar"]["top"] + 0.5, boxes
        assert boxes["row"]["top"] >= 0, boxes
    assert_accessible(page)


def test_saving_attendance_unchanged_still_confirms(facilitator_page: Page, room, screen, shots):
    page = facilitator_page
    page.goto(room.attendance)
    page.click("#save-attendance")
    flash = page.locator(".flash-success")
    expect(flash).to_have_text("Attendance saved. Nothing changed.")
    expect(flash).to_be_in_viewport()
    # The screen as seen: a full-page capture would leave the sticky bar where the first
    # screen ended, over a row in the middle of the list.
    page.screenshot(path=str(shots.folder / f"attendance-saved-unchanged-{screen}.png"))


def test_a_saved_session_is_confirmed_where_the_page_opens(
    facilitator_page: Page, room, screen, shots
):
    page = facilitator_page
    page.goto(f"/facilitate/cohorts/{room.cohort_id}/sessions/new")
    # The time fields and module checkboxes line up with the other fields.
    day = page.locator("#day").bounding_box()
    start = page.locator("#start_time").bounding_box()
    assert abs(start["height"] - day["height"]) < 1, (start, day)
    assert start["width"] >= 0.4 * day["width"], (start, day)
    box = page.locator('#prepare input[type="checkbox"]').first.bounding_box()
    assert box["width"] >= 18 and abs(box["x"] - day["x"]) < 3, (box, day)
    page.fill("#title", "Second lab")
    page.fill("#day", (dt.date.today() + dt.timedelta(days=7)).isoformat())
    page.fill("#start_time", "10:00")
    page.fill("#end_time", "12:00")
    page.fill("#place", "Tovarna, Maribor")
    shots(page, f"session-form-{screen}")
    page.click('main form[method="post"] button[type="submit"]')
    flash = page.locator("#sessions .flash-success")
    expect(flash).to_be_in_viewport()
    expect(page.locator(".just-saved")).to_have_count(1)
    page.screenshot(path=str(shots.folder / f"session-saved-{screen}-viewport.png"))
    shots(page, f"session-saved-{screen}")


def test_room_pages_are_valid_html(browser, base_url, room, live_app, tmp_path):
    """The projector in each state of its check-in, the attendance list, the session form."""
    context = browser.new_context(base_url=base_url, locale="en-GB")
    page = context.new_page()
    sign_in(page, room.facilitator_email)
    files = []

    def keep(name: str, path: str) -> None:
        response = page.goto(path)
        assert response.status == 200, (name, response.status)
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.body())

    keep("projector-open", room.projector)
    keep("attendance", room.attendance)
    page.click("#save-attendance")
    files.append(tmp_path / "attendance-saved.html")
    files[-1].write_text(page.content())
    keep("session-form", f"/facilitate/cohorts/{room.cohort_id}/sessions/new")
    with in_app(live_app):
        meeting = db.session.get(Meeting, room.meeting_id)
        meeting.starts_at = utcnow() + dt.timedelta(hours=3)
        meeting.ends_at = utcnow() + dt.timedelta(hours=5)
        db.session.commit()
    keep("projector-before", room.projector)
    with in_app(live_app):
        meeting = db.session.get(Meeting, room.meeting_id)
        meeting.starts_at = utcnow() - dt.timedelta(hours=5)
        meeting.ends_at = utcnow() - dt.timedelta(hours=3)
        db.session.commit()
    keep("projector-closed", room.projector)
    context.close()
    messages = vnu_messages(files)
    assert not messages, json.dumps(messages, indent=1)
