"""Background work of improvement, run by the db_worker (at once in tests)."""

from django.tasks import task


@task()
def refresh_service_months(service_id: int | None = None) -> int:
    """Recount the monthly figures behind the service page: one service, or every service."""
    from touchstone.catalog.models import Service
    from touchstone.improvement import services

    if service_id is None:
        return services.refresh_every_service()
    service = Service.objects.filter(pk=service_id).first()
    return services.refresh_service_months(service) if service is not None else 0


@task()
def follow_ups_and_alerts() -> None:
    from touchstone.improvement import services

    services.run_cycle()


@task()
def alert_digests() -> int:
    from touchstone.improvement import services

    return services.send_digests()
