"""The collider's marketplace: challenges and offers (posts), the interest people express in
them and the author's answer."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.collider import bp
from lms.collider.forms import AnswerForm, InterestForm, PostForm
from lms.collider.models import Interest, Post
from lms.collider.services import (
    answer_interest,
    clamp_page,
    express_interest,
    may_manage_post,
    may_see_post,
    save_post,
    split,
    visible_posts_query,
)
from lms.collider.vocabulary import SECTORS, SKILLS, label, parse_tags
from lms.extensions import db

POSTS_PER_PAGE = 20


def load_post_or_404(post_id: int, *, manage: bool = False) -> Post:
    post = db.get_or_404(Post, post_id)
    if not may_see_post(current_user, post):
        abort(404)
    if manage and not may_manage_post(current_user, post):
        abort(403)
    return post


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
