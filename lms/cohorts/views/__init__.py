"""The cohorts blueprint's pages, by audience; importing this registers every route.

- :mod:`.facilitator`: dashboard, cohort and learner pages, cohort settings, exports
- :mod:`.class_list`: the class-list import and set-password links for learners
- :mod:`.meetings`: sessions, attendance and the room's check-in page
- :mod:`.learner`: joining, my sessions, answering, self check-in, calendar feeds
"""

from lms.cohorts.views import class_list, facilitator, learner, meetings  # noqa: F401
