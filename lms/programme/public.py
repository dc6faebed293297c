"""Public event pages: anyone lists upcoming events and registers without an account."""

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from lms.extensions import db
from lms.organisations.services import country_choices, country_name
from lms.programme import bp
from lms.programme import events as ev
from lms.programme.forms import ConfirmForm, RegistrationForm


@bp.route("/events/")
def events():
    return render_template("programme/events.html", events=ev.upcoming_events(),
                           country_name=country_name)


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
def event(event_id: int):
    event_ = ev.load_public_event_or_404(event_id)
    form = RegistrationForm()
    form.country.choices = [("", "—")] + country_choices()
    if form.validate_on_submit():
        ev.register(event_, form.name.data, form.email.data, form.organisation.data or "",
                    form.country.data or "")
        db.session.commit()
        # The same answer whether the address was new, pending or registered already.
        return render_template("programme/check_email.html", event=event_)
    return render_template(
        "programme/event.html", event=event_, form=form, full=ev.is_full(event_),
        country_name=country_name,
    ), (422 if form.errors else 200)


@bp.route("/events/registration/<token>", methods=["GET", "POST"])
def confirm_registration(token: str):
    reg = ev.load_registration_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        ev.confirm(reg)
        db.session.commit()
        if reg.status == "waiting":
            flash(_("The event is full: you are on the waiting list and will get an email if a place frees up."), "info")
        elif reg.status == "confirmed":
            flash(_("Your place is confirmed."), "success")
        return redirect(url_for("programme.confirm_registration", token=token))
    return render_template("programme/registration.html", reg=reg, event=reg.event, form=form)


@bp.route("/events/registration/<token>/cancel", methods=["GET", "POST"])
def cancel_registration(token: str):
    reg = ev.load_registration_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        ev.cancel(reg)
        db.session.commit()
        flash(_("Your registration is cancelled."), "success")
        return redirect(url_for("programme.confirm_registration", token=token))
    return render_template("programme/cancel.html", reg=reg, event=reg.event, form=form)


@bp.route("/events/registration/<token>/event.ics")
def registration_ics(token: str):
    reg = ev.load_registration_or_404(token)
    return Response(ev.registration_ics(reg), mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="event.ics"'})
