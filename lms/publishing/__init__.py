"""Publishing: a checked content tree (:mod:`lms.content`) upserted into the catalogue's
courses, modules and quizzes, course by course; the ``lms content`` commands and the
automatic sync. Above courses and quizzes (it writes their rows), below progress.
"""
