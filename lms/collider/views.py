"""Collider pages: your profile, the directory and suggestions (posts: :mod:`lms.collider.post_views`)."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.models import User
from lms.collider import bp
from lms.collider.forms import ProfileForm
from lms.collider.models import Post, Profile
from lms.collider.services import (
    clean_links,
    directory,
    is_participant,
    profile_of,
    save_profile,
    split,
    suggestions_for,
    verified_courses,
    visible_posts_query,
)
from lms.collider.vocabulary import SECTORS, SKILLS, label, parse_tags
from lms.extensions import db


@bp.context_processor
def _labels():
    from lms.collider.labels import COOPERATION_LABELS, FEEDBACK_LABELS

    return {"FEEDBACK_LABELS": FEEDBACK_LABELS, "COOPERATION_LABELS": COOPERATION_LABELS}


@bp.app_template_filter("in_zone")
def in_zone(value, zone: str, fmt: str = "short") -> str:
    """A time in the event's zone (people meet in that room), in the reader's language."""
    from zoneinfo import ZoneInfo

    from babel import dates
    from flask_babel import get_locale

    return dates.format_datetime(value, fmt, tzinfo=ZoneInfo(zone), locale=get_locale())


@bp.app_template_filter("country_name")
def country_label(code: str) -> str:
    """An ISO country code in the reader's language."""
    from lms.organisations.services import country_name

    return country_name(code) if code else ""


@bp.app_template_filter("tag_label")
def tag_label(tag: str) -> str:
    """A tag in the reader's language (curated) or as written (free)."""
    return label(tag)


def load_profile_or_404(profile_id: int) -> Profile:
    """A published profile a participant may read (or one's own); 404 for anything else."""
    profile = db.get_or_404(Profile, profile_id)
    if profile.user_id == current_user.id:
        return profile
    if not profile.published or not profile.user.is_active:
        abort(404)
    if not is_participant(current_user):
        abort(403)
    return profile


@bp.route("/")
@login_required
def home():
    """The collider's front door: your profile's state and where to go next."""
    profile = profile_of(current_user)
    suggestions = suggestions_for(profile, limit=3) if profile and profile.published else None
    return render_template(
        "collider/home.html",
        profile=profile,
        suggestions=suggestions,
        participant=is_participant(current_user),
        label=label,
    )


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    profile = profile_of(current_user)
    form = ProfileForm(obj=None)
    if request.method == "GET" and profile is not None:
        tags = [t.tag for t in profile.tags]
        form.headline.data = profile.headline
        form.sector.data = profile.sector
        form.pitch.data = profile.pitch
        form.areas.data = split(profile.areas)
        form.skills.data = [t for t in tags if t in SKILLS]
        form.sectors.data = [t for t in tags if t in SECTORS]
        form.free_tags.data = ", ".join(t for t in tags if t not in SKILLS and t not in SECTORS)
        form.languages.data = split(profile.languages)
        form.links.data = profile.links
        form.show_courses.data = profile.show_courses
        form.published.data = profile.published
    elif request.method == "GET":
        form.show_courses.data = True
    if form.validate_on_submit():
        tags, _problem = parse_tags(
            (form.skills.data or []) + (form.sectors.data or []), form.free_tags.data or ""
        )
        links, _problem = clean_links(form.links.data)
        save_profile(
            current_user,
            headline=form.headline.data,
            pitch=form.pitch.data or "",
            sector=form.sector.data,
            languages=form.languages.data or [],
            areas=form.areas.data or [],
            tags=tags,
            links=links,
            show_courses=form.show_courses.data,
            published=form.published.data,
        )
        db.session.commit()
        flash(
            _("Your profile is published.")
            if form.published.data
            else _("Your profile is saved. Only you can see it until you publish it."),
            "success",
        )
        return redirect(url_for("collider.home"))
    return render_template("collider/profile_form.html", form=form, profile=profile)


@bp.route("/people")
@login_required
def people():
    if not is_participant(current_user):
        return render_template("collider/not_participant.html"), 403
    found = directory(
        q=request.args.get("q", "")[:100],
        area=request.args.get("area", ""),
        tag=request.args.get("tag", "")[:60],
        sector=request.args.get("sector", ""),
        page=request.args.get("page", 1),
    )
    filters = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("collider/people.html", found=found, args=request.args, filters=filters)


@bp.route("/people/<int:profile_id>")
@login_required
def profile(profile_id: int):
    shown = load_profile_or_404(profile_id)
    courses = verified_courses(shown.user_id) if shown.show_courses else []
    organisation = None
    if shown.user.organisation_id:
        from lms.organisations.models import Organisation

        organisation = db.session.get(Organisation, shown.user.organisation_id)
    return render_template(
        "collider/profile.html",
        profile=shown,
        courses=courses,
        label=label,
        organisation=organisation,
    )


@bp.route("/organisations/<int:organisation_id>")
@login_required
def organisation(organisation_id: int):
    """An organisation and its people in the collider (published profiles only)."""
    from lms.organisations.models import Organisation

    shown = db.get_or_404(Organisation, organisation_id)
    if not is_participant(current_user):
        return render_template("collider/not_participant.html"), 403
    people = list(
        db.session.scalars(
            sa.select(Profile)
            .join(User, User.id == Profile.user_id)
            .where(
                Profile.published.is_(True),
                User.organisation_id == shown.id,
                User.active.is_(True),
                User.deleted_at.is_(None),
            )
            .order_by(sa.func.lower(User.name))
            .limit(200)
        )
    )
    posts = list(
        db.session.scalars(
            visible_posts_query(current_user)
            .join(User, User.id == Post.author_id)
            .where(User.organisation_id == shown.id)
            .order_by(Post.created_at.desc())
            .limit(50)
        )
    )
    return render_template(
        "collider/organisation.html", organisation=shown, people=people, posts=posts
    )


@bp.route("/suggestions")
@login_required
def suggestions():
    mine = profile_of(current_user)
    if mine is None or not mine.published:
        return render_template("collider/suggestions.html", profile=mine, found=None, label=label)
    return render_template(
        "collider/suggestions.html", profile=mine, found=suggestions_for(mine), label=label
    )
