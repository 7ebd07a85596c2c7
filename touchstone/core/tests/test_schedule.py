"""Periodic jobs run when due, and a failing one does not stop the rest."""

import datetime as dt
import io

from django.core.management import call_command

from touchstone.core import schedule


def test_every_job_runs_once_with_once_and_a_failure_does_not_stop_the_others(monkeypatch: object) -> None:
    ran: list[str] = []

    def broken() -> None:
        ran.append("broken")
        raise RuntimeError("boom")

    jobs = {
        "a": schedule.Job("a", dt.timedelta(minutes=5), broken),
        "b": schedule.Job("b", dt.timedelta(minutes=5), lambda: ran.append("b")),
    }
    monkeypatch.setattr(schedule, "JOBS", jobs)  # type: ignore[attr-defined]
    import touchstone.core.management.commands.run_schedule as command

    monkeypatch.setattr(command, "JOBS", jobs)  # type: ignore[attr-defined]
    call_command("run_schedule", "--once", stdout=io.StringIO())
    assert ran == ["broken", "b"]


def test_a_job_is_due_after_its_interval() -> None:
    job = schedule.Job("x", dt.timedelta(minutes=10), lambda: None)
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
    assert job.due(now)
    job.last_run = now
    assert not job.due(now + dt.timedelta(minutes=9))
    assert job.due(now + dt.timedelta(minutes=10))
