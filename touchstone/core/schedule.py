"""Work that must happen on a clock (complaint escalations, PRA expiry warnings, contact purges).

Each capability registers its jobs with `every(...)` in its AppConfig.ready(); `manage.py run_schedule`, started by
`make run` beside the task worker (or by cron/systemd in production with `--once`), runs each job when due.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Job:
    name: str
    interval: dt.timedelta
    run: Callable[[], object]
    last_run: dt.datetime | None = field(default=None)

    def due(self, now: dt.datetime) -> bool:
        return self.last_run is None or now - self.last_run >= self.interval


JOBS: dict[str, Job] = {}


def every(interval: dt.timedelta, name: str, run: Callable[[], object]) -> None:
    JOBS[name] = Job(name, interval, run)


def every_command(interval: dt.timedelta, command: str, *args: str) -> None:
    """Run a management command on a clock."""
    from django.core.management import call_command

    every(interval, command, lambda: call_command(command, *args))
