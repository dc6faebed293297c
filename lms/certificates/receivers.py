"""Where certificates listen to lower features: the one path from a completion to a certificate.

Receivers run inside the sender's transaction and flush only; the sender's caller commits once.
"""

from lms.accounts.models import User
from lms.certificates.services import issue_for_course, issue_if_complete
from lms.extensions import db
from lms.progress.signals import module_completed
from lms.publishing.signals import modules_archived


@module_completed.connect
def certify_completion(module, user_id: int, **_):
    """A module completed now may complete its course: issue the certificate (returned, so the
    view can say it is ready)."""
    return issue_if_complete(db.session.get(User, user_id), module.course)


@modules_archived.connect
def certify_after_archiving(course, **_):
    """Modules removed from a course may leave learners with every current module done."""
    issue_for_course(course)
