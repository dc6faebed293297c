"""Health of the parts the app depends on: ``/health`` for monitoring, ``lms doctor`` for people.

Each dependency is a check (:mod:`lms.health.checks`); a feature that brings a new one (the job
queue, outgoing mail) registers it with :func:`lms.health.checks.register_check`.
"""
