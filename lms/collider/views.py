"""Collider pages: your profile, the directory, suggestions, the marketplace of posts."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.accounts.models import User
from lms.collider import bp
from lms.collider.forms import AnswerForm, InterestForm, PostForm, ProfileForm
from lms.collider.models import Interest, Post, Profile
from lms.collider.services import (
    answer_interest,
    clamp_page,
    clean_links,
    directory,
    express_interest,
    is_participant,
    may_manage_post,
    may_see_post,
    profile_of,
    save_post,
    save_profile,
    split,
    suggestions_for,
    verified_courses,
    visible_posts_query,
)
from lms.collider.vocabulary import SECTORS, SKILLS, label, parse_tags
from lms.extensions import db

POSTS_PER_PAGE = 20


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


def load_post_or_404(post_id: int, *, manage: bool = False) -> Post:
    post = db.get_or_404(Post, post_id)
    if not may_see_post(current_user, post):
        abort(404)
    if manage and not may_manage_post(current_user, post):
        abort(403)
    return post


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


@bp.route("/posts")
def posts():
    """The marketplace: open challenges and offers, newest first."""
    kind = request.args.get("kind", "")
    query = visible_posts_query(current_user)
    if kind in ("challenge", "offer"):
        query = query.where(Post.kind == kind)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // POSTS_PER_PAGE))
    page = clamp_page(request.args.get("page", 1), pages)
    items = list(
        db.session.scalars(
            query.order_by(Post.created_at.desc(), Post.id.desc())
            .offset((page - 1) * POSTS_PER_PAGE)
            .limit(POSTS_PER_PAGE)
        )
    )
    return render_template(
        "collider/posts.html",
        items=items,
        page=page,
        pages=pages,
        total=total,
        kind=kind,
        label=label,
    )


def _post_fields(form: PostForm) -> dict:
    tags, _problem = parse_tags(
        (form.skills.data or []) + (form.sectors.data or []), form.free_tags.data or ""
    )
    return {
        "kind": form.kind.data,
        "title": form.title.data.strip(),
        "organisation_name": (form.organisation_name.data or "").strip(),
        "body": form.body.data.strip(),
        "area": form.area.data or "",
        "tags": ",".join(tags),
        "timing": (form.timing.data or "").strip(),
        "closes_on": form.closes_on.data,
        "visibility": form.visibility.data,
    }


@bp.route("/posts/new", methods=["GET", "POST"])
@login_required
def new_post():
    form = PostForm()
    if request.method == "GET" and request.args.get("kind") in ("challenge", "offer"):
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        post = save_post(None, current_user, **_post_fields(form))
        db.session.commit()
        flash(_("Your post is online."), "success")
        return redirect(url_for("collider.post", post_id=post.id))
    return render_template("collider/post_form.html", form=form, post=None)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = load_post_or_404(post_id, manage=True)
    form = PostForm(obj=post)
    if request.method == "GET":
        tags = split(post.tags)
        form.skills.data = [t for t in tags if t in SKILLS]
        form.sectors.data = [t for t in tags if t in SECTORS]
        form.free_tags.data = ", ".join(t for t in tags if t not in SKILLS and t not in SECTORS)
    if form.validate_on_submit():
        save_post(post, current_user, **_post_fields(form))
        db.session.commit()
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("collider.post", post_id=post.id))
    return render_template("collider/post_form.html", form=form, post=post)


@bp.route("/posts/<int:post_id>/status", methods=["POST"])
@login_required
def post_status(post_id: int):
    post = load_post_or_404(post_id, manage=True)
    wanted = request.form.get("status")
    if wanted in ("open", "closed"):
        save_post(post, current_user, status=wanted)
        db.session.commit()
        flash(
            _("The post is closed.") if wanted == "closed" else _("The post is open again."),
            "success",
        )
    return redirect(url_for("collider.post", post_id=post.id))


@bp.route("/posts/<int:post_id>")
def post(post_id: int):
    shown = load_post_or_404(post_id)
    mine = None
    interests = []
    if current_user.is_authenticated:
        mine = db.session.scalar(
            sa.select(Interest).where(
                Interest.post_id == shown.id, Interest.user_id == current_user.id
            )
        )
        if may_manage_post(current_user, shown):
            interests = list(
                db.session.scalars(
                    sa.select(Interest)
                    .where(Interest.post_id == shown.id)
                    .order_by(Interest.created_at)
                    .options(sa.orm.joinedload(Interest.user))
                )
            )
    return render_template(
        "collider/post.html",
        post=shown,
        mine=mine,
        interests=interests,
        form=InterestForm(),
        answer_form=AnswerForm(),
        label=label,
        manage=current_user.is_authenticated and may_manage_post(current_user, shown),
    )


@bp.route("/posts/<int:post_id>/interest", methods=["POST"])
@login_required
def interest(post_id: int):
    shown = load_post_or_404(post_id)
    if shown.author_id == current_user.id:
        abort(403)
    form = InterestForm()
    if shown.status != "open":
        flash(_("This post is closed."), "error")
        return redirect(url_for("collider.post", post_id=shown.id))
    if not form.validate_on_submit():
        return render_template(
            "collider/post.html",
            post=shown,
            mine=None,
            interests=[],
            form=form,
            answer_form=AnswerForm(),
            label=label,
            manage=False,
        ), 400
    _record, created = express_interest(shown, current_user, form.message.data)
    db.session.commit()
    flash(
        _("Your message is sent. The author will answer here.")
        if created
        else _("You already said you are interested."),
        "success" if created else "info",
    )
    return redirect(url_for("collider.post", post_id=shown.id))


@bp.route("/interests/<int:interest_id>/answer", methods=["POST"])
@login_required
def answer(interest_id: int):
    record = db.get_or_404(Interest, interest_id)
    if not may_manage_post(current_user, record.post):
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        answer_interest(record, form.status.data, form.reply.data or "")
        db.session.commit()
        flash(_("Your answer is saved."), "success")
    else:
        flash(_("Please choose an answer."), "error")
    return redirect(url_for("collider.post", post_id=record.post_id) + f"#interest-{record.id}")


import lms.collider.event_views  # noqa: E402,F401  (their routes join the blueprint)
import lms.collider.indicators  # noqa: E402,F401  (RCO 87 and RCR 84 for the report)
import lms.collider.organise_views  # noqa: E402,F401
