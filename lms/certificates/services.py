"""Issuing and finding certificates. Flush, never commit."""

import re
import secrets

import sqlalchemy as sa
from flask import abort
from sqlalchemy.exc import IntegrityError

from lms.certificates.models import Certificate
from lms.certificates.signals import certificate_issued
from lms.courses.models import Course
from lms.extensions import db, utcnow
from lms.progress.services import progress_by_course

#: No 0/O or 1/I: codes are read aloud and typed from paper.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"C4-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalise_code(code: str) -> str:
    """Accept codes typed in lower case, with spaces, or without the dashes."""
    raw = re.sub(r"[^0-9A-Za-z]", "", code or "").upper()
    if raw.startswith("C4"):
        raw = raw[2:]
    if len(raw) != 12:
        return (code or "").strip().upper()
    return f"C4-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def certificate_for(user_id: int, course_id: int) -> Certificate | None:
    return db.session.scalar(
        sa.select(Certificate).where(
            Certificate.user_id == user_id, Certificate.course_id == course_id
        )
    )


def certificates_of(user_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at.desc())
        )
    )


def by_code(code: str) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == normalise_code(code)))


def load_certificate_or_404(code: str, user) -> Certificate:
    """A certificate its holder may open (admins: any); 404 for anyone else or once withdrawn."""
    cert = by_code(code)
    if (
        cert is None
        or cert.withdrawn_at is not None
        or (cert.user_id != user.id and not user.is_admin)
    ):
        abort(404)
    return cert


def issue_if_complete(user, course: Course) -> Certificate | None:
    """Issue the course certificate once every current module is complete."""
    existing = certificate_for(user.id, course.id)
    if existing is not None:
        return existing
    standing = progress_by_course(user.id, [course.id]).get(course.id)
    if standing is None or not standing.finished:
        return None
    if course.required_sessions:
        from lms.cohorts.meetings import attended_count

        if attended_count(user.id, course) < course.required_sessions:
            return None
    certificate = Certificate(
        user_id=user.id,
        course_id=course.id,
        code=new_code(),
        learner_name=user.name,
        course_title=course.title,
        area=course.area,
        hours=course.duration_hours,
        issued_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:  # issued by a parallel request
        return certificate_for(user.id, course.id)
    certificate_issued.send(certificate)
    return certificate
