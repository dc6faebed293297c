"""Translated labels of the collider's stored codes (feedback answers, kinds of cooperation)."""

from flask_babel import lazy_gettext as _l

#: b2match's answers, right after a meeting and months later.
FEEDBACK_LABELS = {
    "not_held": _l("The meeting did not take place"),
    "no_interest": _l("Insufficient interest"),
    "informative": _l("Very informative, but no cooperation planned"),
    "cooperation_possible": _l("Cooperation possible"),
    "no_contact": _l("No further contact"),
    "knowledge": _l("No contact, but knowledge gained"),
    "valuable": _l("Valuable contact"),
    "negotiation": _l("Negotiation started"),
    "agreement": _l("Cooperation agreement reached"),
}

COOPERATION_LABELS = {
    "project": _l("Joint project"),
    "contract": _l("Contract or commission"),
    "pilot": _l("Pilot or prototype"),
    "joint_application": _l("Joint funding application"),
    "other": _l("Other"),
}
