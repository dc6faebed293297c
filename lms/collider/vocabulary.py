"""The curated, translatable tags of cooperation profiles and posts.

Keys are stable (stored in the database, matched by suggestions); labels are translated. People
may add free tags of their own beside these; a free tag is shown as written.
"""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

#: What CCI professionals bring.
SKILLS = {
    "product-design": _l("Product design"),
    "packaging-design": _l("Packaging design"),
    "ux-ui-design": _l("UX and UI design"),
    "service-design": _l("Service design"),
    "visual-communication": _l("Visual communication"),
    "branding": _l("Branding"),
    "video-film": _l("Video and film"),
    "photography": _l("Photography"),
    "3d-modelling": _l("3D modelling and visualisation"),
    "illustration": _l("Illustration"),
    "sound-design": _l("Sound design"),
    "storytelling": _l("Storytelling and content"),
    "design-thinking": _l("Design thinking facilitation"),
    "user-research": _l("User research"),
    "data-visualisation": _l("Data visualisation"),
    "interior-architecture": _l("Architecture and interiors"),
    "fashion-textile": _l("Fashion and textile design"),
    "game-design": _l("Game design and gamification"),
    "xr": _l("AR and VR experiences"),
    "circular-design": _l("Circular and sustainable design"),
}

#: Where advanced-manufacturing companies work.
SECTORS = {
    "automotive": _l("Automotive"),
    "machinery": _l("Machinery and equipment"),
    "electronics": _l("Electronics"),
    "additive-manufacturing": _l("Additive manufacturing (3D printing)"),
    "robotics": _l("Robotics and automation"),
    "materials": _l("Advanced materials and composites"),
    "textiles-industry": _l("Technical textiles"),
    "furniture": _l("Furniture and wood"),
    "food-processing": _l("Food processing"),
    "medical-devices": _l("Medical devices"),
    "energy": _l("Energy and clean tech"),
    "aerospace": _l("Aerospace"),
    "packaging-industry": _l("Packaging industry"),
    "metalworking": _l("Metalworking"),
    "plastics": _l("Plastics and polymers"),
}

CURATED = {**SKILLS, **SECTORS}

#: How long a free tag may be, and how many tags one profile or post may carry.
MAX_TAG_LENGTH = 40
MAX_TAGS = 20


def label(tag: str) -> str:
    """The tag in the reader's language (a free tag as its author wrote it)."""
    return str(CURATED[tag]) if tag in CURATED else tag


def parse_tags(curated: list[str], free: str) -> tuple[list[str], str | None]:
    """Curated keys picked plus free tags typed (comma-separated); an error message or None."""
    tags: list[str] = []
    for key in curated:
        if key in CURATED and key not in tags:
            tags.append(key)
    for raw in free.split(","):
        tag = " ".join(raw.split()).lower()
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            return tags, ngettext(
                "A tag can be at most %(num)d character long.",
                "A tag can be at most %(num)d characters long.",
                MAX_TAG_LENGTH,
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        return tags, ngettext(
            "Choose at most %(num)d tag.", "Choose at most %(num)d tags.", MAX_TAGS
        )
    return tags, None
