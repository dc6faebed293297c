"""Collider operations: profiles, posts and interest. They change state and flush; views commit."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.collider.matching import Doc, Index
from lms.collider.models import Interest, Post, Profile, ProfileTag
from lms.content.tree import AREAS
from lms.extensions import db, utcnow

#: Profiles per page of the directory.
PER_PAGE = 20


def is_participant(user) -> bool:
    """Who may see profiles: people with a published profile, and the programme's staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role != "learner":
        return True
    return bool(
        db.session.scalar(
            sa.select(Profile.id).where(Profile.user_id == user.id, Profile.published.is_(True))
        )
    )


def profile_of(user: User) -> Profile | None:
    return db.session.scalar(sa.select(Profile).where(Profile.user_id == user.id))


def split(value: str) -> list[str]:
    return [part for part in (value or "").split(",") if part]


def clean_links(text: str) -> tuple[list[str], str | None]:
    """Portfolio links, one per line: http(s) only, no spaces; an error message or None."""
    links = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = urlsplit(line)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or any(c.isspace() for c in line)
        ):
            return links, "bad"
        if line not in links:
            links.append(line)
    return links[:10], None


def save_profile(
    user: User, *, headline, pitch, sector, languages, areas, tags, links, show_courses, published
) -> Profile:
    """Create or update a person's profile with its tags; flushes."""
    profile = profile_of(user)
    if profile is None:
        profile = Profile(user_id=user.id)
        db.session.add(profile)
    profile.headline = headline.strip()
    profile.pitch = pitch.strip()
    profile.sector = sector
    profile.languages = ",".join(languages)
    profile.areas = ",".join(a for a in AREAS if a in areas)
    profile.links = "\n".join(links)
    profile.show_courses = show_courses
    profile.published = published
    profile.updated_at = utcnow()
    wanted = list(dict.fromkeys(tags))
    profile.tags = [t for t in profile.tags if t.tag in wanted]
    have = {t.tag for t in profile.tags}
    profile.tags.extend(ProfileTag(tag=tag) for tag in wanted if tag not in have)
    db.session.flush()
    return profile


def verified_courses(user_id: int) -> list[Certificate]:
    """The person's certificates that still stand, newest first (shown on their profile)."""
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.user_id == user_id, Certificate.withdrawn_at.is_(None))
            .order_by(Certificate.issued_at.desc())
        )
    )


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int


def clamp_page(raw, pages: int) -> int:
    """A page number from the query string, within 1..pages whatever was sent."""
    try:
        number = int(str(raw)[:6])
    except (TypeError, ValueError):
        number = 1
    return max(1, min(number, max(pages, 1)))


def directory(*, q: str = "", area: str = "", tag: str = "", sector: str = "", page=1) -> Page:
    """Published profiles matching the filters, a page at a time, by name."""
    query = (
        sa.select(Profile)
        .join(User, User.id == Profile.user_id)
        .where(Profile.published.is_(True), User.active.is_(True), User.deleted_at.is_(None))
    )
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(User.name).like(like),
                sa.func.lower(Profile.headline).like(like),
                sa.func.lower(Profile.pitch).like(like),
            )
        )
    if area in AREAS:
        query = query.where(Profile.areas.like(f"%{area}%"))
    if sector:
        query = query.where(Profile.sector == sector)
    if tag:
        query = query.where(
            Profile.id.in_(sa.select(ProfileTag.profile_id).where(ProfileTag.tag == tag))
        )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    number = clamp_page(page, pages)
    items = list(
        db.session.scalars(
            query.order_by(sa.func.lower(User.name), Profile.id)
            .offset((number - 1) * PER_PAGE)
            .limit(PER_PAGE)
        )
    )
    return Page(items, number, pages, total)


# --- posts and interest -------------------------------------------------------------------


def visible_posts_query(user):
    """Open posts this person may see: public ones for anyone, all for participants."""
    query = sa.select(Post).where(Post.status == "open")
    if not is_participant(user):
        query = query.where(Post.visibility == "public")
    return query


def may_see_post(user, post: Post) -> bool:
    if getattr(user, "is_authenticated", False) and post.author_id == user.id:
        return True
    if post.status != "open" and not _is_staff(user):
        return False
    return post.visibility == "public" or is_participant(user)


def may_manage_post(user, post: Post) -> bool:
    return getattr(user, "is_authenticated", False) and (
        post.author_id == user.id or _is_staff(user)
    )


def _is_staff(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role != "learner"


def save_post(post: Post | None, author: User, **fields) -> Post:
    if post is None:
        post = Post(author_id=author.id)
        db.session.add(post)
    for name, value in fields.items():
        setattr(post, name, value)
    post.updated_at = utcnow()
    db.session.flush()
    return post


def express_interest(post: Post, user: User, message: str) -> tuple[Interest, bool]:
    """Record interest once per person and post; ``(interest, created)``; safe when raced."""
    existing = db.session.scalar(
        sa.select(Interest).where(Interest.post_id == post.id, Interest.user_id == user.id)
    )
    if existing is not None:
        return existing, False
    interest = Interest(post_id=post.id, user_id=user.id, message=message.strip())
    try:
        with db.session.begin_nested():
            db.session.add(interest)
    except IntegrityError:
        existing = db.session.scalar(
            sa.select(Interest).where(Interest.post_id == post.id, Interest.user_id == user.id)
        )
        return existing, False
    return interest, True


def answer_interest(interest: Interest, status: str, reply: str) -> Interest:
    interest.status = status
    interest.reply = reply.strip()
    interest.answered_at = utcnow()
    db.session.flush()
    return interest


# --- suggestions --------------------------------------------------------------------------

_index_cache: dict = {}


def _data_version():
    """Changes whenever a profile, tag or post changes: the index is rebuilt only then."""
    row = db.session.execute(
        sa.select(
            sa.select(sa.func.max(Profile.updated_at)).scalar_subquery(),
            sa.select(sa.func.count(Profile.id)).scalar_subquery(),
            sa.select(sa.func.max(Post.updated_at)).scalar_subquery(),
            sa.select(sa.func.count(Post.id)).scalar_subquery(),
            sa.select(sa.func.count(Certificate.id)).scalar_subquery(),
        )
    ).one()
    return (str(db.engine.url), *row)


def profile_doc(profile: Profile, courses: dict) -> Doc:
    return Doc(
        id=("person", profile.id),
        kind="person",
        sector=profile.sector,
        areas=frozenset(split(profile.areas)),
        tags=frozenset(t.tag for t in profile.tags),
        text=f"{profile.headline} {profile.pitch}",
        courses=courses if profile.show_courses else {},
    )


def post_doc(post: Post) -> Doc:
    tags = frozenset(split(post.tags))
    return Doc(
        id=("post", post.id),
        kind=post.kind,
        sector="avm" if post.kind == "challenge" else "cci",
        areas=frozenset([post.area]) if post.area else frozenset(),
        tags=tags if post.kind == "offer" else frozenset(),
        needs=tags if post.kind == "challenge" else frozenset(),
        text=f"{post.title} {post.body}",
    )


def suggestion_index() -> Index:
    """The index of published profiles and open posts, rebuilt when the data changes."""
    version = _data_version()
    cached = _index_cache.get("index")
    if cached and cached[0] == version:
        return cached[1]
    profiles = list(
        db.session.scalars(
            sa.select(Profile)
            .join(User, User.id == Profile.user_id)
            .where(Profile.published.is_(True), User.active.is_(True), User.deleted_at.is_(None))
            .options(sa.orm.selectinload(Profile.tags))
        )
    )
    courses: dict = {}
    for user_id, title, area in db.session.execute(
        sa.select(Certificate.user_id, Certificate.course_title, Certificate.area).where(
            Certificate.withdrawn_at.is_(None)
        )
    ):
        courses.setdefault(user_id, {})[title] = area
    posts = list(db.session.scalars(sa.select(Post).where(Post.status == "open")))
    docs = [profile_doc(p, courses.get(p.user_id, {})) for p in profiles]
    docs += [post_doc(p) for p in posts]
    index = Index(docs)
    index.courses = courses
    _index_cache["index"] = (version, index)
    return index


def suggestions_for(profile: Profile, *, limit: int = 5) -> dict:
    """The best posts and people for ``profile``, each ``(object, suggestion)``, by kind."""
    index = suggestion_index()
    me = profile_doc(profile, index.courses.get(profile.user_id, {}))
    wanted_posts = "offer" if profile.sector == "avm" else "challenge"
    found = {
        "posts": index.suggest(me, kind=wanted_posts, limit=limit),
        "people": index.suggest(me, kind="person", limit=limit),
    }
    ids = {kind: [s.id[1] for s in items] for kind, items in found.items()}
    posts = {p.id: p for p in db.session.scalars(sa.select(Post).where(Post.id.in_(ids["posts"])))}
    people = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Profile)
            .where(Profile.id.in_(ids["people"]), Profile.published.is_(True))
            .options(sa.orm.joinedload(Profile.user))
        )
    }
    return {
        "posts": [(posts[s.id[1]], s) for s in found["posts"] if s.id[1] in posts],
        "people": [
            (people[s.id[1]], s)
            for s in found["people"]
            if s.id[1] in people and people[s.id[1]].user_id != profile.user_id
        ],
    }
