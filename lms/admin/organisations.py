"""Admin pages for organisations: the programme's partners and the others people work for,
and who works for each (facilitators and partner managers)."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.access import admin_required
from lms.accounts.models import User
from lms.accounts.services import find_user_by_email
from lms.admin import bp
from lms.admin.forms import ConfirmForm, OrganisationForm, StaffForm
from lms.audit.services import record_event
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.organisations.models import KINDS, Organisation, OrganisationStaff
from lms.organisations.services import KIND_LABELS, country_choices, country_name

STAFF_LABELS = {"facilitator": _l("Facilitator"), "manager": _l("Partner manager")}


def _me():
    return current_user._get_current_object()


def _load_or_404(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def _form(organisation=None) -> OrganisationForm:
    form = OrganisationForm(obj=organisation)
    form.country.choices = [("", "—")] + country_choices()
    form.kind.choices = [(k, str(KIND_LABELS[k])) for k in KINDS]
    return form


def _name_taken(name: str, organisation_id: int | None) -> bool:
    query = sa.select(Organisation.id).where(
        sa.func.lower(Organisation.name) == " ".join(name.split()).lower()
    )
    if organisation_id is not None:
        query = query.where(Organisation.id != organisation_id)
    return db.session.scalar(query) is not None


def _apply(organisation: Organisation, form: OrganisationForm) -> None:
    organisation.name = " ".join(form.name.data.split())
    organisation.short_name = (form.short_name.data or "").strip()
    organisation.country = form.country.data or ""
    organisation.kind = form.kind.data
    organisation.website = (form.website.data or "").strip()
    organisation.is_partner = bool(form.is_partner.data)


@bp.route("/organisations")
@admin_required
def organisations():
    """Every organisation, partners first, with its cohorts and staff counted."""
    rows = db.session.execute(
        sa.select(
            Organisation,
            sa.select(sa.func.count(Cohort.id))
            .where(Cohort.partner_id == Organisation.id)
            .scalar_subquery(),
            sa.select(sa.func.count(OrganisationStaff.id))
            .where(OrganisationStaff.organisation_id == Organisation.id)
            .scalar_subquery(),
        ).order_by(Organisation.is_partner.desc(), Organisation.name)
    ).all()
    return render_template(
        "admin/organisations.html", rows=rows, kinds=KIND_LABELS, country_name=country_name
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
@admin_required
def new_organisation():
    form = _form()
    if request.method == "GET":
        form.is_partner.data = True
        form.kind.data = "cci"
    if form.validate_on_submit():
        if _name_taken(form.name.data, None):
            form.name.errors.append(_("An organisation with this name exists already."))
        else:
            organisation = Organisation(name="")
            _apply(organisation, form)
            db.session.add(organisation)
            db.session.flush()
            record_event("organisation.created", _me(), f"organisation:{organisation.id}")
            db.session.commit()
            flash(_("“%(name)s” added.", name=organisation.name), "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return render_template("admin/organisation_form.html", form=form, organisation=None), (
        422 if form.errors else 200
    )


def _organisation_page(organisation, form=None, staff_form=None, status=200):
    form = form or _form(organisation)
    staff_form = staff_form or StaffForm()
    staff_form.role.choices = [(k, str(v)) for k, v in STAFF_LABELS.items()]
    staff = db.session.execute(
        sa.select(OrganisationStaff)
        .where(OrganisationStaff.organisation_id == organisation.id)
        .order_by(OrganisationStaff.role, OrganisationStaff.id)
    ).scalars().all()
    people = {
        u.id: u
        for u in db.session.scalars(sa.select(User).where(User.id.in_([s.user_id for s in staff])))
    }
    cohorts = db.session.scalars(
        sa.select(Cohort).where(Cohort.partner_id == organisation.id).order_by(Cohort.name)
    ).all()
    return render_template(
        "admin/organisation_form.html",
        form=form,
        organisation=organisation,
        staff=staff,
        people=people,
        staff_form=staff_form,
        staff_labels=STAFF_LABELS,
        cohorts=cohorts,
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@admin_required
def organisation(organisation_id: int):
    """Edit the organisation; its staff and cohorts below."""
    organisation = _load_or_404(organisation_id)
    form = _form(organisation)
    if form.validate_on_submit():
        if _name_taken(form.name.data, organisation.id):
            form.name.errors.append(_("An organisation with this name exists already."))
        else:
            _apply(organisation, form)
            record_event("organisation.changed", _me(), f"organisation:{organisation.id}")
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    return _organisation_page(organisation, form=form, status=422 if form.errors else 200)


@bp.route("/organisations/<int:organisation_id>/staff", methods=["POST"])
@admin_required
def add_staff(organisation_id: int):
    """Link an existing account to the organisation as facilitator or partner manager."""
    organisation = _load_or_404(organisation_id)
    staff_form = StaffForm()
    staff_form.role.choices = [(k, str(v)) for k, v in STAFF_LABELS.items()]
    if staff_form.validate_on_submit():
        person = find_user_by_email(staff_form.email.data)
        if person is None or person.deleted_at is not None:
            staff_form.email.errors.append(_("No account uses this email address."))
        else:
            exists = db.session.scalar(
                sa.select(OrganisationStaff.id).where(
                    OrganisationStaff.organisation_id == organisation.id,
                    OrganisationStaff.user_id == person.id,
                    OrganisationStaff.role == staff_form.role.data,
                )
            )
            if exists is None:
                db.session.add(
                    OrganisationStaff(
                        organisation_id=organisation.id, user_id=person.id, role=staff_form.role.data
                    )
                )
                record_event(
                    "organisation.staff_added", _me(), f"user:{person.id}",
                    organisation=organisation.id, role=staff_form.role.data,
                )
                db.session.commit()
            flash(
                _("%(name)s works for %(organisation)s as %(role)s.", name=person.name,
                  organisation=organisation.name, role=STAFF_LABELS[staff_form.role.data]),
                "success",
            )
            return redirect(url_for("admin.organisation", organisation_id=organisation.id) + "#staff")
    return _organisation_page(organisation, staff_form=staff_form, status=422)


@bp.route("/organisations/<int:organisation_id>/staff/<int:staff_id>/remove", methods=["POST"])
@admin_required
def remove_staff(organisation_id: int, staff_id: int):
    organisation = _load_or_404(organisation_id)
    link = db.session.get(OrganisationStaff, staff_id)
    if link is None or link.organisation_id != organisation.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    record_event(
        "organisation.staff_removed", _me(), f"user:{link.user_id}",
        organisation=organisation.id, role=link.role,
    )
    db.session.delete(link)
    db.session.commit()
    flash(_("Removed."), "success")
    return redirect(url_for("admin.organisation", organisation_id=organisation.id) + "#staff")
