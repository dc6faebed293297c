"""Scheduled work (reminders, target dates, digests): functions the workers run now and then.

Each function takes the current time and returns how many messages it recorded; it must be
safe to run twice at the same time or one after the other (the outbox's unique keys make a
second run record nothing). It records and flushes; the runner commits once per function.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    run: Callable[[datetime], int]


PERIODIC: dict[str, PeriodicJob] = {}


def register_periodic(name: str, every: timedelta, run: Callable[[datetime], int]) -> None:
    """Add a job; the embedded worker and ``lms worker`` both run every registered one."""
    PERIODIC[name] = PeriodicJob(name, every, run)
