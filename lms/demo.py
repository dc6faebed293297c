"""Demo accounts for trying the platform; created only by ``lms demo create``."""

from lms.accounts.services import create_user, find_user_by_email

DEMO_PASSWORD = "coco4cci-demo"  # noqa: S105 - documented, dev-only demo accounts
DEMO_ACCOUNTS = (
    ("learner@example.org", "Lea Learner", "learner"),
    ("facilitator@example.org", "Fabio Facilitator", "facilitator"),
    ("admin@example.org", "Ada Admin", "admin"),
)


def create_demo_data() -> list[tuple[str, str, bool]]:
    """Create the demo accounts that do not exist yet (flush only)."""
    result = []
    for email, name, role in DEMO_ACCOUNTS:
        existing = find_user_by_email(email)
        if existing is None:
            create_user(email, name, DEMO_PASSWORD, role=role)
        result.append((email, role, existing is None))
    return result
