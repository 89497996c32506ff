"""When a subscription is due, as pure functions of its schedule and the clock.

A schedule names moments in the reader's own time zone ("07:00 on Mondays in
Asia/Tokyo"); the service stores and compares UTC. Each moment opens a period whose
key (``period``) is what a delivery is unique on: a daily digest's local date, a
weekly one's ISO week, an hourly alert's UTC hour, an instant alert's UTC minute. A
service that was down for days sends the latest period only, never a backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.db import models


class Cadence(models.TextChoices):
    INSTANT = "instant", "As it happens"
    HOURLY = "hourly", "Hourly"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


DIGEST_CADENCES = (Cadence.DAILY, Cadence.WEEKLY)
ALERT_CADENCES = (Cadence.INSTANT, Cadence.HOURLY, Cadence.DAILY)


@cache
def zones() -> frozenset[str]:
    """The IANA names this machine knows; a name outside it is refused, so what a
    reader types never becomes a path ZoneInfo would open."""
    return frozenset(available_timezones())


def zone_of(name: str) -> ZoneInfo:
    """The time zone ``name``, or ValueError for anything that is not one."""
    if name not in zones():
        raise ValueError(f"not a time zone: {name[:80]!r}")
    return ZoneInfo(name)


@dataclass(frozen=True)
class Schedule:
    cadence: str
    hour: int
    weekday: int  # 0 is Monday
    zone: str

    def __post_init__(self) -> None:
        if self.cadence not in Cadence.values:
            raise ValueError(f"not a cadence: {self.cadence!r}")
        if not (0 <= self.hour <= 23 and 0 <= self.weekday <= 6):
            raise ValueError("the hour must be 0-23 and the weekday 0-6")
        zone_of(self.zone)


def _at(day: datetime, hour: int, zone: ZoneInfo) -> datetime:
    """``hour`` o'clock local on ``day``'s date, in UTC. An hour a clock change skips
    (02:00 in spring) comes out as the same instant as the hour after it."""
    return datetime.combine(day.date(), time(hour), tzinfo=zone).astimezone(UTC)


def latest(schedule: Schedule, now: datetime) -> datetime:
    """The latest scheduled moment at or before ``now`` (UTC)."""
    zone = zone_of(schedule.zone)
    now = now.astimezone(UTC)
    if schedule.cadence == Cadence.INSTANT:
        return now.replace(second=0, microsecond=0)
    local = now.astimezone(zone)
    if schedule.cadence == Cadence.HOURLY:
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    back = 0 if schedule.cadence == Cadence.DAILY else (local.weekday() - schedule.weekday) % 7
    step = 1 if schedule.cadence == Cadence.DAILY else 7
    moment = _at(local - timedelta(days=back), schedule.hour, zone)
    if moment > now:
        moment = _at(local - timedelta(days=back + step), schedule.hour, zone)
    return moment


def following(schedule: Schedule, now: datetime) -> datetime:
    """The first scheduled moment after ``now`` (UTC)."""
    moment = latest(schedule, now)
    if schedule.cadence == Cadence.INSTANT:
        return moment + timedelta(minutes=1)
    if schedule.cadence == Cadence.HOURLY:
        return moment + timedelta(hours=1)
    zone = zone_of(schedule.zone)
    step = 1 if schedule.cadence == Cadence.DAILY else 7
    # A day is not always 24 hours (clock changes): step the local date, not UTC.
    return _at(moment.astimezone(zone) + timedelta(days=step), schedule.hour, zone)


def period(schedule: Schedule, moment: datetime) -> str:
    """The key of the period that the scheduled ``moment`` opens."""
    if schedule.cadence == Cadence.INSTANT:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    if schedule.cadence == Cadence.HOURLY:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H")
    local = moment.astimezone(zone_of(schedule.zone))
    if schedule.cadence == Cadence.DAILY:
        return local.date().isoformat()
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"
