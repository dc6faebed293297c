"""What the collider holds about a person, for their data download, and what deletion does."""

import sqlalchemy as sa

from lms.collider.models import (
    Cooperation,
    CooperationParty,
    Interest,
    MeetingFeedback,
    MeetingRequest,
    Participant,
    Post,
    Profile,
)
from lms.extensions import db

#: (table, column pointing at users.id) -> the export section holding those rows.
EXPORTED = {
    ("collider_profiles", "user_id"): "collider_profile",
    ("collider_posts", "author_id"): "collider_posts",
    ("collider_interests", "user_id"): "collider_interests",
    ("collider_participants", "user_id"): "collider_meetings",
    ("collider_feedback", "user_id"): "collider_feedback",
    ("collider_cooperations", "recorded_by_id"): "collider_cooperations",
    ("collider_cooperation_parties", "user_id"): "collider_cooperations",
}

#: (table, column) -> what deleting the account does to those rows.
ON_DELETE = {
    ("collider_profiles", "user_id"): "removed, with its tags",
    ("collider_posts", "author_id"): "removed",
    ("collider_interests", "user_id"): "removed",
    ("collider_participants", "user_id"): "removed, with the meeting requests",
    ("collider_feedback", "user_id"): "removed",
    ("collider_cooperations", "recorded_by_id"): "kept (the id only): organisations cooperate",
    ("collider_cooperation_parties", "user_id"): "kept without the person: organisations cooperate",
}

CSV_HEADERS = {
    "collider_profile": [
        "published",
        "headline",
        "pitch",
        "sector",
        "languages",
        "areas",
        "tags",
        "links",
        "show_courses",
        "updated_at",
    ],
    "collider_posts": [
        "kind",
        "title",
        "body",
        "area",
        "tags",
        "visibility",
        "status",
        "created_at",
    ],
    "collider_interests": ["post", "message", "status", "reply", "created_at"],
    "collider_meetings": [
        "event",
        "with",
        "you_asked",
        "status",
        "slot_starts_at",
        "table",
        "message",
    ],
    "collider_feedback": ["meeting", "stage", "answer", "comment", "created_at"],
    "collider_cooperations": ["title", "kind", "agreed_on", "role"],
}


def _iso(value):
    return value.isoformat() if value else None


def collect(user) -> dict:
    """The collider's sections of the person's data download."""
    uid = user.id
    profile = db.session.scalar(sa.select(Profile).where(Profile.user_id == uid))
    data = {
        "collider_profile": [
            {
                "published": profile.published,
                "headline": profile.headline,
                "pitch": profile.pitch,
                "sector": profile.sector,
                "languages": profile.languages,
                "areas": profile.areas,
                "tags": ",".join(t.tag for t in profile.tags),
                "links": profile.links,
                "show_courses": profile.show_courses,
                "updated_at": _iso(profile.updated_at),
            }
        ]
        if profile
        else [],
        "collider_posts": [
            {
                "kind": p.kind,
                "title": p.title,
                "body": p.body,
                "area": p.area,
                "tags": p.tags,
                "visibility": p.visibility,
                "status": p.status,
                "created_at": _iso(p.created_at),
            }
            for p in db.session.scalars(
                sa.select(Post).where(Post.author_id == uid).order_by(Post.id)
            )
        ],
        "collider_interests": [
            {
                "post": i.post.title,
                "message": i.message,
                "status": i.status,
                "reply": i.reply,
                "created_at": _iso(i.created_at),
            }
            for i in db.session.scalars(
                sa.select(Interest).where(Interest.user_id == uid).order_by(Interest.id)
            )
        ],
    }
    meetings = []
    mine = {
        p.id for p in db.session.scalars(sa.select(Participant).where(Participant.user_id == uid))
    }
    if mine:
        for r in db.session.scalars(
            sa.select(MeetingRequest)
            .where(
                sa.or_(MeetingRequest.requester_id.in_(mine), MeetingRequest.recipient_id.in_(mine))
            )
            .order_by(MeetingRequest.id)
        ):
            other = r.recipient if r.requester_id in mine else r.requester
            meetings.append(
                {
                    "event": r.matchmaking_id,
                    "with": other.user.name,
                    "you_asked": r.requester_id in mine,
                    "status": r.status,
                    "slot_starts_at": _iso(r.slot.starts_at) if r.slot else None,
                    "table": r.table.label if r.table else None,
                    "message": r.message,
                }
            )
    data["collider_meetings"] = meetings
    data["collider_feedback"] = [
        {
            "meeting": f.request_id,
            "stage": f.stage,
            "answer": f.answer,
            "comment": f.comment,
            "created_at": _iso(f.created_at),
        }
        for f in db.session.scalars(
            sa.select(MeetingFeedback).where(MeetingFeedback.user_id == uid)
        )
    ]
    cooperations = []
    for c in db.session.scalars(
        sa.select(Cooperation)
        .where(
            sa.or_(
                Cooperation.recorded_by_id == uid,
                Cooperation.id.in_(
                    sa.select(CooperationParty.cooperation_id).where(
                        CooperationParty.user_id == uid
                    )
                ),
            )
        )
        .order_by(Cooperation.id)
    ):
        role = "recorded" if c.recorded_by_id == uid else "party"
        cooperations.append(
            {"title": c.title, "kind": c.kind, "agreed_on": _iso(c.agreed_on), "role": role}
        )
    data["collider_cooperations"] = cooperations
    return data


def delete_for(user) -> None:
    """Erase the person's collider data; cooperations between organisations stay. Flushes."""
    uid = user.id
    participant_ids = sa.select(Participant.id).where(Participant.user_id == uid)
    db.session.execute(
        sa.delete(MeetingFeedback)
        .where(MeetingFeedback.user_id == uid)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Cooperation)
        .where(
            Cooperation.request_id.in_(
                sa.select(MeetingRequest.id).where(
                    sa.or_(
                        MeetingRequest.requester_id.in_(participant_ids),
                        MeetingRequest.recipient_id.in_(participant_ids),
                    )
                )
            )
        )
        .values(request_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.delete(MeetingRequest)
        .where(
            sa.or_(
                MeetingRequest.requester_id.in_(participant_ids),
                MeetingRequest.recipient_id.in_(participant_ids),
            )
        )
        .execution_options(synchronize_session=False)
    )
    for model, column in (
        (Participant, Participant.user_id),
        (Interest, Interest.user_id),
    ):
        db.session.execute(
            sa.delete(model).where(column == uid).execution_options(synchronize_session=False)
        )
    posts = sa.select(Post.id).where(Post.author_id == uid)
    db.session.execute(
        sa.update(Cooperation)
        .where(Cooperation.post_id.in_(posts))
        .values(post_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.delete(Interest)
        .where(Interest.post_id.in_(posts))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.delete(Post).where(Post.author_id == uid).execution_options(synchronize_session=False)
    )
    profile = db.session.scalar(sa.select(Profile).where(Profile.user_id == uid))
    if profile is not None:
        db.session.delete(profile)
    db.session.execute(
        sa.update(CooperationParty)
        .where(CooperationParty.user_id == uid)
        .values(user_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
