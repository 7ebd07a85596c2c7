"""Every read of agencies, offices, people, tokens and the audit log. Staff reads are scoped to one agency."""

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from touchstone.core.models import Agency, ApiToken, AuditEntry, ImportRun, Membership, Office, User
from touchstone.core.ttl import TimedMemo


def public_agencies() -> QuerySet[Agency]:
    """Top-level agencies for the public directory, each with its sub-agencies."""
    return (
        Agency.objects.filter(parent__isnull=True)
        .prefetch_related(
            Prefetch(
                "sub_agencies",
                queryset=Agency.objects.annotate(office_count=Count("offices", distinct=True)).order_by(
                    "name"
                ),
            )
        )
        .annotate(office_count=Count("offices", distinct=True))
        .order_by("name")
    )


def public_agency(slug: str) -> Agency:
    agency = Agency.objects.select_related("parent").filter(slug=slug).first()
    if agency is None:
        raise Http404("No such agency.")
    return agency


# The public complaint form is the busiest public page: its agency is held per worker for a while. A change to the
# agency shows within this many seconds (at once in the worker that saved it).
PUBLIC_AGENCY_MEMO = TimedMemo(seconds=30)


def cached_public_agency(slug: str) -> Agency:
    # An unknown name raises 404 before anything is remembered, so an agency added a moment later is found at once.
    return PUBLIC_AGENCY_MEMO.get(slug, lambda: public_agency(slug))  # type: ignore[no-any-return]


def agencies_by_abbreviation(abbreviation: str) -> Agency:
    agency = Agency.objects.filter(abbreviation__iexact=abbreviation).first()
    if agency is None:
        raise Http404(f"No agency with the abbreviation {abbreviation}.")
    return agency


def memberships_of(user: User, only: int | None = None) -> QuerySet[Membership]:
    """The person's memberships; with `only`, the one in that agency (a sign-in that opens one agency)."""
    found = Membership.objects.filter(user=user).select_related("agency").order_by("agency__name")
    return found.filter(agency_id=only) if only is not None else found


def membership_for(user: User, agency_slug: str, only: int | None = None) -> Membership:
    """The person's membership in the agency, or 404: staff of another agency must not learn it exists. With
    `only` (a sign-in that opens one agency), any other agency is as if the person had no membership there."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("agency", "agency__parent", "office")
        .filter(user=user, agency__slug=agency_slug)
        .filter(**({"agency_id": only} if only is not None else {}))
        .first()
    )
    if membership is None:
        raise Http404("No such agency in your workspace.")
    return membership


def offices_of(agency: Agency) -> QuerySet[Office]:
    return Office.objects.filter(agency=agency).order_by("name")


def office_of(agency: Agency, office_id: int) -> Office:
    office = Office.objects.filter(agency=agency, pk=office_id).first()
    if office is None:
        raise Http404("No such office in this agency.")
    return office


def members_of(agency: Agency) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(agency=agency)
        .select_related("user", "office")
        .order_by("user__last_name", "user__username")
    )


def member_of(agency: Agency, membership_id: int) -> Membership:
    membership = members_of(agency).filter(pk=membership_id).first()
    if membership is None:
        raise Http404("No such person in this agency.")
    return membership


def audit_entries_of(agency: Agency) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(agency=agency).select_related("actor").order_by("-at", "-id")


def api_tokens_of(agency: Agency) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(agency=agency).select_related("created_by").order_by("-created_at")


def api_token_of(agency: Agency, token_id: int) -> ApiToken:
    token = api_tokens_of(agency).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token in this agency.")
    return token


def active_token_for_secret(secret: str) -> ApiToken | None:
    """The live token whose secret this is; None for an unknown or revoked one."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != "ts":
        return None
    token = ApiToken.objects.select_related("agency").filter(prefix=parts[1], revoked_at__isnull=True).first()
    if token is None or token.hashed_secret != ApiToken.hash_secret(secret):
        return None
    return token


# A busy client sends its token with every call; revocation reaches every worker within this many seconds
# (at once in the worker that revoked it).
TOKEN_MEMO = TimedMemo(seconds=10)


def cached_active_token(secret: str) -> ApiToken | None:
    return TOKEN_MEMO.get(ApiToken.hash_secret(secret), lambda: active_token_for_secret(secret))  # type: ignore[no-any-return]


def import_runs_of(agency: Agency) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(agency=agency).select_related("created_by").order_by("-created_at")


def import_run_of(agency: Agency, run_id: int) -> ImportRun:
    run = import_runs_of(agency).filter(pk=run_id).first()
    if run is None:
        raise Http404("No such import in this agency.")
    return run


def failed_imports_of(agency: Agency, days: int = 30, limit: int = 5) -> list[ImportRun]:
    """The agency's imports that did not load in the last `days`, newest first."""
    since = timezone.now() - dt.timedelta(days=days)
    runs = import_runs_of(agency).filter(status=ImportRun.Status.FAILED, created_at__gte=since)
    return list(runs[:limit])


def agency_counts(agency: Agency) -> dict[str, int]:
    """Offices, people and active API tokens of the agency, in one query."""
    return Agency.objects.filter(pk=agency.pk).aggregate(
        offices=Count("offices", distinct=True),
        people=Count("memberships", distinct=True),
        tokens=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True), distinct=True),
    )
