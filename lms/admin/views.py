"""Admin pages: users (search, role, disable/enable) and the audit log."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import services as accounts
from lms.accounts.access import admin_required, load_user_or_404
from lms.accounts.models import ROLES, User
from lms.accounts.sessions import start_session
from lms.admin import bp
from lms.admin import services as admin
from lms.admin.forms import ROLE_LABELS, ConfirmForm, RoleForm
from lms.audit.models import EVENT_LABELS
from lms.extensions import db

#: The highest page number asked of the database (far beyond any real list).
MAX_PAGE = 100_000


def _page_number() -> int:
    # Clamped: a huge number would overflow the database's OFFSET (a 500); past the last
    # page the list shows its empty state.
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


@bp.route("/users")
@admin_required
def users():
    """Every account, searchable by name or email, filtered by role and status."""
    args = {
        "q": request.args.get("q", "")[:200],
        "role": request.args.get("role", "") if request.args.get("role") in ROLES else "",
        "status": request.args.get("status", "")
        if request.args.get("status") in admin.STATUSES
        else "",
    }
    page = db.paginate(
        admin.users_query(args["q"], args["role"], args["status"]),
        page=_page_number(),
        per_page=current_app.config["LMS_PAGE_SIZE"],
        error_out=False,
    )
    return render_template("admin/users.html", page=page, args=args, role_labels=ROLE_LABELS)


def _privacy_actions(user: User) -> list[tuple[str, str]]:
    """The privacy feature's admin actions on a user (export, delete), when it is installed."""
    labels = {
        "privacy.admin_export": _("Download their data"),
        "privacy.admin_delete": _("Delete the account"),
    }
    return [
        (url_for(endpoint, user_id=user.id), labels[endpoint])
        for endpoint in labels
        if endpoint in current_app.view_functions
    ]


def _user_page(user: User, role_form: RoleForm | None = None, status: int = 200):
    learning, running = admin.cohorts_of(user)
    events = db.session.scalars(admin.audit_query(target=f"user:{user.id}").limit(10)).all()
    if role_form is None:
        role_form = RoleForm(data={"role": user.role})
    return render_template(
        "admin/user.html",
        user=user,
        learning=learning,
        running=running,
        events=events,
        actors=admin.users_by_id(e.actor_id for e in events),
        role_form=role_form,
        role_labels=ROLE_LABELS,
        confirm_form=ConfirmForm(),
        privacy_actions=_privacy_actions(user),
    ), status


@bp.route("/users/<int:user_id>")
@admin_required
def user(user_id: int):
    """One account: role, status, dates, cohorts and its latest audit events."""
    return _user_page(load_user_or_404(user_id))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admin_required
def change_role(user_id: int):
    """Ask to confirm, then change the role (which signs the person out everywhere)."""
    user = load_user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, form, 422)
    new_role = form.role.data
    if new_role == user.role:
        flash(_("%(name)s already has this role.", name=user.name), "info")
        return redirect(url_for("admin.user", user_id=user.id))
    if form.confirmed.data != "yes":
        return render_template(
            "admin/confirm_role.html", user=user, form=form, role_labels=ROLE_LABELS
        )
    try:
        accounts.set_role(user, new_role, current_user._get_current_object())
    except accounts.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.user", user_id=user.id))
    if user.id == current_user.id:
        start_session(user)  # the change ended every session; keep this one going
    db.session.commit()
    flash(
        _(
            "%(name)s is now: %(role)s. They were signed out everywhere.",
            name=user.name,
            role=ROLE_LABELS[new_role],
        ),
        "success",
    )
    if not user.is_admin and user.id == current_user.id:
        return redirect(url_for("courses.catalogue"))
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/disable", methods=["GET", "POST"])
@admin_required
def disable(user_id: int):
    """Confirm, then disable the account: it cannot sign in and its sessions end."""
    user = load_user_or_404(user_id)
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("admin/confirm_disable.html", user=user, form=form)
    try:
        changed = accounts.set_active(user, False, current_user._get_current_object())
    except accounts.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.user", user_id=user.id))
    db.session.commit()
    if changed:
        flash(_("%(name)s's account is disabled and signed out.", name=user.name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@admin_required
def enable(user_id: int):
    """Let a disabled account sign in again."""
    user = load_user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            changed = accounts.set_active(user, True, current_user._get_current_object())
        except accounts.AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("admin.user", user_id=user.id))
        if changed:
            db.session.commit()
            flash(_("%(name)s can sign in again.", name=user.name), "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/audit")
@admin_required
def audit():
    """Security events, newest first, filtered by kind, actor and target."""
    kinds = admin.audit_kinds()
    args = {
        "kind": request.args.get("kind", "") if request.args.get("kind") in kinds else "",
        "actor": request.args.get("actor", "")[:200],
        "target": request.args.get("target", "")[:80],
    }
    page = db.paginate(
        admin.audit_query(args["kind"], args["actor"], args["target"]),
        page=_page_number(),
        per_page=current_app.config["LMS_PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "admin/audit.html",
        page=page,
        args=args,
        kinds=kinds,
        event_labels={kind: str(label) for kind, label in EVENT_LABELS.items()},
        actors=admin.users_by_id(e.actor_id for e in page.items),
    )


@bp.route("/content")
@admin_required
def content_problems():
    """Every problem the live preview found in ``content/``, as ``path:line: message``:
    those holding back every course, then each held-back course's, then the rest."""
    problems = current_app.extensions.get("lms_content_problems") or []
    blocking = current_app.extensions.get("lms_content_blocking") or []
    held_back = current_app.extensions.get("lms_content_held_back") or []
    listed = {*blocking, *(p for held in held_back for p in held.problems)}
    return render_template(
        "admin/content_problems.html",
        problems=problems,
        blocking=blocking,
        held_back=held_back,
        others=[p for p in problems if p not in listed],
        autosync=current_app.config.get("LMS_CONTENT_AUTOSYNC"),
    )
