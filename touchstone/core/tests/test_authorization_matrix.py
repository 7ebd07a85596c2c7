"""Every workspace URL (from the URL configuration) and every API operation (from the OpenAPI schema), asked by every
role of the agency, by staff of another agency, by the overseer and by a superuser who is no member: each gets what
its role allows and nothing else. A URL or operation added without a line here fails the test."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from touchstone.core import services as core_services
from touchstone.core.importing import IMPORTERS
from touchstone.core.models import Agency, User
from touchstone.core.tests.authorization import request_and_undo, workspace_objects, workspace_urls

EVERY = frozenset({"admin", "analyst", "handler", "frontline", "viewer"})
ADMIN = frozenset({"admin"})
EDITORS = frozenset({"admin", "analyst"})  # edit the catalog, surveys and standards; import data
HANDLERS = frozenset({"admin", "handler"})  # handle complaints
BOARD = frozenset({"admin", "analyst", "frontline"})  # the ideas board
NOBODY: frozenset[str] = frozenset()

# Who of the agency may open each workspace URL (and post to it); True marks a URL that only takes POST.
POLICY: dict[str, tuple[frozenset[str], bool]] = {
    "manage:agency-home": (EVERY, False),
    "manage:agency-edit": (ADMIN, False),
    "manage:offices": (EVERY, False),
    "manage:office-new": (ADMIN, False),
    "manage:office-edit": (ADMIN, False),
    "manage:people": (EVERY, False),
    "manage:person-new": (ADMIN, False),
    "manage:person-edit": (ADMIN, False),
    "manage:tokens": (ADMIN, False),
    "manage:token-revoke": (ADMIN, True),
    "manage:audit": (ADMIN, False),
    "manage:imports": (EDITORS, False),
    "manage:import-run": (EDITORS, False),
    "manage:export": (EDITORS, False),
    "manage:catalog:services": (EVERY, False),
    "manage:catalog:service-new": (EDITORS, False),
    "manage:catalog:service": (EVERY, False),
    "manage:catalog:service-edit": (EDITORS, False),
    "manage:catalog:service-status": (EDITORS, True),
    "manage:catalog:channel-new": (EDITORS, False),
    "manage:catalog:channel-edit": (EDITORS, False),
    "manage:catalog:channel-remove": (EDITORS, True),
    "manage:catalog:stage-new": (EDITORS, False),
    "manage:catalog:stage-edit": (EDITORS, False),
    "manage:catalog:stage-remove": (EDITORS, True),
    "manage:catalog:segment-link-new": (EDITORS, False),
    "manage:catalog:segment-link-edit": (EDITORS, False),
    "manage:catalog:segment-link-remove": (EDITORS, True),
    "manage:catalog:volume-new": (EDITORS, False),
    "manage:catalog:segments": (EVERY, False),
    "manage:catalog:segment-new": (EDITORS, False),
    "manage:catalog:segment-edit": (EDITORS, False),
    "manage:catalog:gaps": (EVERY, False),
    "manage:catalog:providers": (EVERY, False),
    "manage:catalog:provider-new": (EDITORS, False),
    "manage:catalog:provider-edit": (EDITORS, False),
    "manage:surveys:list": (EVERY, False),
    "manage:surveys:new": (EDITORS, False),
    "manage:surveys:survey": (EVERY, False),
    "manage:surveys:edit": (EDITORS, False),
    "manage:surveys:status": (EDITORS, True),
    "manage:surveys:question-new": (EDITORS, False),
    "manage:surveys:question-edit": (EDITORS, False),
    "manage:surveys:question-delete": (EDITORS, True),
    "manage:surveys:page-new": (EDITORS, True),
    "manage:surveys:page-edit": (EDITORS, False),
    "manage:surveys:languages": (EDITORS, False),
    "manage:surveys:translation": (EDITORS, False),
    "manage:surveys:xlsform": (EVERY, False),
    "manage:surveys:inbox": (EVERY, False),
    "manage:surveys:inbox-export": (EVERY, False),
    "manage:surveys:inbox-bulk": (EDITORS, True),
    "manage:surveys:inbox-response": (EVERY, False),
    "manage:surveys:inbox-mark": (EDITORS, True),
    "manage:surveys:kiosks": (EVERY, False),  # setting one up checks edit_surveys
    "manage:surveys:kiosk-revoke": (EDITORS, True),
    "manage:surveys:known-networks": (EVERY, False),  # adding one checks manage_agency
    "manage:surveys:known-network-remove": (ADMIN, True),
    "manage:surveys:invitations": (EVERY, False),
    "manage:surveys:invitations-upload": (EDITORS, True),
    "manage:surveys:invitations-send": (EDITORS, True),
    "manage:surveys:invitations-remind": (EDITORS, True),
    "manage:surveys:invitations-dispositions": (EDITORS, True),
    "manage:surveys:invitation-disposition": (EDITORS, True),
    "manage:analysis:home": (EVERY, False),
    "manage:analysis:survey": (EVERY, False),
    "manage:analysis:service": (EVERY, False),
    "manage:analysis:drivers": (EVERY, False),
    "manage:analysis:themes": (EVERY, False),
    "manage:analysis:weighting": (EVERY, False),  # a preview for every member; saving checks edit_surveys
    "manage:analysis:refresh": (EDITORS, True),
    "manage:standards:list": (EVERY, False),
    "manage:standards:new": (EDITORS, False),
    "manage:standards:alerts": (EVERY, False),
    "manage:standards:discrepancies": (EVERY, False),
    "manage:standards:detail": (EVERY, False),
    "manage:standards:edit": (EDITORS, False),
    "manage:complaints:worklist": (EVERY, False),
    "manage:complaints:closed": (EVERY, False),
    "manage:complaints:case-new": (HANDLERS, False),
    "manage:complaints:case": (EVERY, False),
    "manage:complaints:case-assess": (HANDLERS, False),
    "manage:complaints:case-assign": (HANDLERS, False),
    "manage:complaints:case-note": (HANDLERS, False),
    "manage:complaints:case-message": (HANDLERS, False),
    "manage:complaints:case-start": (HANDLERS, False),
    "manage:complaints:case-wait": (HANDLERS, False),
    "manage:complaints:case-resume": (HANDLERS, False),
    "manage:complaints:case-close": (HANDLERS, False),
    "manage:complaints:case-reopen": (HANDLERS, False),
    "manage:complaints:case-triage": (HANDLERS, False),
    "manage:complaints:case-attachment": (HANDLERS, False),
    "manage:complaints:insight": (EVERY, False),
    "manage:complaints:setup": (EVERY, False),
    "manage:complaints:settings": (ADMIN, False),
    "manage:complaints:policy-new": (ADMIN, False),
    "manage:complaints:policy-edit": (ADMIN, False),
    "manage:complaints:rule-new": (ADMIN, False),
    "manage:complaints:rule-edit": (ADMIN, False),
    "manage:complaints:calendar": (ADMIN, False),
    "manage:complaints:triage-train": (HANDLERS, False),
    "manage:complaints:case-merge": (HANDLERS, False),
    "manage:complaints:canned-new": (ADMIN, False),
    "manage:complaints:canned-edit": (ADMIN, False),
    "manage:complaints:case-split": (HANDLERS, False),
    "manage:complaints:case-duplicate": (HANDLERS, True),
    "manage:complaints:bulk": (HANDLERS, True),
    "manage:complaints:email-settings": (ADMIN, False),
    "manage:complaints:article-new": (ADMIN, False),
    "manage:complaints:article-edit": (ADMIN, False),
    "manage:complaints:topics": (HANDLERS, False),
    "manage:complaints:topic-edit": (HANDLERS, False),
    "manage:voice:home": (EVERY, False),
    "manage:voice:settings": (ADMIN, False),
    "manage:voice:survey-new": (EDITORS, False),
    "manage:voice:survey": (EDITORS, False),
    "manage:voice:survey-publish": (EDITORS, True),
    "manage:voice:survey-close": (EDITORS, True),
    "manage:voice:survey-links": (EDITORS, False),
    "manage:voice:send-decision": (EDITORS, True),  # the service also refuses the admin who asked
    "manage:voice:survey-releases": (EDITORS, False),
    "manage:voice:survey-release": (EDITORS, True),
    "manage:voice:survey-breakdowns": (EDITORS, False),
    "manage:voice:survey-export": (EDITORS, False),
    "manage:voice:review": (EDITORS, False),
    "manage:voice:review-comment": (EDITORS, False),
    "manage:voice:board": (BOARD, False),
    "manage:voice:item-new": (BOARD, False),
    "manage:voice:item": (BOARD, False),
    "manage:voice:item-support": (BOARD, True),
    "manage:voice:item-triage": (EDITORS, False),
    "manage:voice:item-merge": (EDITORS, False),
    "manage:voice:insight": (EDITORS, False),
    "manage:reports:home": (EVERY, False),
    "manage:reports:report-new": (EDITORS, False),
    "manage:reports:report": (EVERY, False),
    "manage:reports:report-edit": (EDITORS, False),
    "manage:reports:report-move": (EDITORS, True),  # approving and publishing check manage_agency
    "manage:reports:report-pdf": (EVERY, False),
    "manage:reports:report-comments": (EDITORS, False),
    "manage:reports:report-quote-withdraw": (EDITORS, True),
    "manage:reports:plan-new": (EDITORS, False),
    "manage:reports:plan": (EVERY, False),
    "manage:reports:plan-section": (EDITORS, False),
    "manage:reports:plan-move": (EDITORS, True),
    "manage:reports:plan-pdf": (EVERY, False),
    "manage:reports:collections": (EVERY, False),
    "manage:reports:collection-new": (EDITORS, False),
    "manage:reports:collection": (EVERY, False),
    "manage:reports:collection-edit": (EDITORS, False),
    "manage:reports:collection-fill": (EDITORS, True),
    "manage:reports:collection-upload": (EDITORS, True),
    "manage:reports:collection-move": (EDITORS, True),  # publishing and change requests check manage_agency
    "manage:reports:collection-export": (EDITORS, False),
    "manage:reports:collection-counts": (EDITORS, False),
    "manage:reports:action-plan-new": (EDITORS, False),
    "manage:reports:action-plan": (EVERY, False),
    "manage:reports:action-plan-capacity": (EDITORS, True),
    "manage:reports:goal-new": (EDITORS, False),
    "manage:reports:action-plan-move": (EDITORS, True),
    "manage:reports:deliveries": (ADMIN, False),
    "manage:reports:delivery-remove": (ADMIN, True),
    "manage:benchmarks:home": (EVERY, False),
    "manage:benchmarks:new": (EDITORS, False),
    "manage:benchmarks:choose": (EDITORS, True),
    "manage:benchmarks:unchoose": (EDITORS, True),
    "manage:benchmarks:comparisons": (EVERY, False),
    "manage:benchmarks:scorecard": (EVERY, False),
    "manage:benchmarks:scorecard-export": (EVERY, False),
    "manage:benchmarks:scorecard-manager": (EVERY, False),
    "manage:improvement:home": (EVERY, False),
    "manage:improvement:service": (EVERY, False),
    "manage:improvement:follow": (EVERY, True),
    "manage:improvement:action-new": (EDITORS, False),
    "manage:improvement:action": (EVERY, False),
    "manage:improvement:action-edit": (EDITORS, False),
    "manage:improvement:follow-ups": (HANDLERS, False),
    "manage:improvement:follow-up": (
        HANDLERS,
        False,
    ),  # shows the answers of a customer who agreed to contact
    "manage:improvement:rules": (ADMIN, False),
    "manage:improvement:rule-new": (ADMIN, False),
    "manage:improvement:rule-edit": (ADMIN, False),
    "manage:improvement:alerts": (EVERY, False),
}
# Not an agency's pages: the agency switcher and one's own second factor (any signed-in person), the overseers' page.
INSTALLATION_PAGES = {
    "manage:home",
    "manage:oversight",
    "manage:oversight-benchmarks",
    "manage:second-factor",
}
# Keywords that name no record of an agency: a URL with only these has nothing to leak across agencies.
NOT_RECORDS = {"agency_slug", "kind", "section"}


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def demo(db: Any, tmp_path: Path, settings: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", stdout=io.StringIO())
    User.objects.create_superuser("installation-staff", "staff@demo.example.gov", "x" * 20)
    own, other = Agency.objects.get(abbreviation="BA"), Agency.objects.get(abbreviation="LPS")
    return {"own": own, "other": other, "values": workspace_objects(own)}


def test_every_workspace_url_answers_each_role_as_its_policy_says(demo: dict[str, Any]) -> None:
    urls = workspace_urls()
    names = {url.name for url in urls}
    assert names - set(POLICY) - INSTALLATION_PAGES == set(), "new workspace URLs: add each to POLICY"
    assert set(POLICY) - names == set(), "POLICY names URLs that no longer exist"
    clients = {role: signed_in(role) for role in EVERY}
    stranger, overseer = signed_in("permits-admin"), signed_in("overseer")
    superuser = signed_in("installation-staff")
    other_values = {**demo["values"], "agency_slug": demo["other"].slug}
    wrong: list[str] = []
    for url in sorted(urls, key=lambda u: u.name):
        if url.name in INSTALLATION_PAGES:
            continue
        path = url.path(demo["values"])  # a keyword the matrix cannot fill fails here, naming the URL
        allowed, post_only = POLICY[url.name]
        for role, client in clients.items():
            got, audited = request_and_undo(client, "get", path)
            posted, post_audited = request_and_undo(client, "post", path)
            if role in allowed:
                expected_get = {405} if post_only else {200, 302}
                if got not in expected_get or posted in {403, 404, 405}:
                    wrong.append(f"{url.name}: {role} may use it, got GET {got} POST {posted}")
            elif (got, posted) != (403, 403) or post_audited:
                wrong.append(f"{url.name}: {role} must be refused (403), got GET {got} POST {posted}")
        # Staff of another agency, the overseer and a superuser who is no member: 404, as if it did not exist.
        for who, client in (("another agency", stranger), ("overseer", overseer), ("superuser", superuser)):
            for method in ("get", "post"):
                status, audited = request_and_undo(client, method, path)
                if status != 404 or audited:
                    wrong.append(f"{url.name}: {who} {method.upper()} must get 404, got {status}")
        # Another agency's own slug with this agency's records in the rest of the URL: 404 too.
        if set(url.kwargs) - NOT_RECORDS:
            crossed = url.path(other_values)
            for method in ("post",) if post_only else ("get", "post"):
                status, audited = request_and_undo(stranger, method, crossed)
                if status != 404 or audited:
                    wrong.append(
                        f"{url.name}: another agency's slug with our records: {method} gave {status}"
                    )
    assert wrong == [], "\n".join(wrong)


def test_the_installation_pages_answer_only_whom_they_serve(demo: dict[str, Any]) -> None:
    assert signed_in("overseer").get("/manage/oversight/").status_code == 200
    for role in EVERY:
        assert signed_in(role).get("/manage/oversight/").status_code == 403
        assert signed_in(role).get("/manage/").status_code == 302
    assert Client().get("/manage/").status_code == 302  # to sign in
    # One's own second factor: any signed-in person, about their own account only; nobody else's is addressable.
    for role in EVERY:
        assert signed_in(role).get("/manage/second-factor/").status_code == 200
    assert Client().get("/manage/second-factor/").status_code == 302


# --- the API ---------------------------------------------------------------------------------------------------

SCOPES = {"ReadToken": "read", "WriteToken": "write", "SubmitToken": "submit"}
PUBLIC_OPERATIONS = {("get", "/api/v1/agencies/{abbreviation}")}  # the agency directory is public


def token(agency: Agency, scopes: list[str]) -> dict[str, str]:
    _token, secret = core_services.create_api_token(actor=None, agency=agency, name="matrix", scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def api_parameters(agency: Agency, values: dict[str, Any]) -> dict[str, Any]:
    from touchstone.complaints.models import Case

    case = Case.objects.filter(agency=agency).first()
    return {
        **values,
        "abbreviation": agency.abbreviation,
        "tracking_number": case.tracking_number if case else None,
        "kind": next(kind for kind, cls in sorted(IMPORTERS.items()) if cls.needs_agency),
    }


def operation_path(template: str, parameters: dict[str, Any]) -> str:
    import re

    if "/voice/surveys/{survey_id}" in template:
        parameters = {**parameters, "survey_id": parameters["employee_survey_id"]}
    names = re.findall(r"{(\w+)}", template)
    missing = [name for name in names if parameters.get(name) is None]
    assert not missing, f"{template}: the matrix cannot fill {missing}; add it to api_parameters()"
    return template.format(**{name: parameters[name] for name in names})


def test_every_api_operation_answers_each_token_as_its_scope_and_agency_say(demo: dict[str, Any]) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    parameters = api_parameters(demo["own"], demo["values"])
    full = ["read", "write", "submit"]
    own_tokens = {scope: token(demo["own"], [scope]) for scope in full}
    without = {scope: token(demo["own"], [s for s in full if s != scope]) for scope in full}
    other = token(demo["other"], full)
    wrong: list[str] = []
    operations = [(m, p, op) for p, ops in schema["paths"].items() for m, op in ops.items()]
    assert len(operations) >= 38
    for method, template, operation in operations:
        securities = [name for requirement in operation.get("security", []) for name in requirement]
        assert securities, f"{method.upper()} {template} takes no token: say here why it is public"
        scope = SCOPES[securities[0]]
        path = operation_path(template, parameters)
        body = {"content_type": "application/json", "data": {}} if method in {"post", "patch"} else {}
        name = f"{method.upper()} {template}"
        status, _ = request_and_undo(Client(), method, path, **body)
        if status != 401:
            wrong.append(f"{name}: without a token gave {status}, not 401")
        status, _ = request_and_undo(Client(**without[scope]), method, path, **body)
        if status != 403:
            wrong.append(f"{name}: a token without '{scope}' gave {status}, not 403")
        status, _ = request_and_undo(Client(**own_tokens[scope]), method, path, **body)
        if status in {401, 403, 404, 405} or status >= 500:
            wrong.append(f"{name}: the agency's own '{scope}' token gave {status}")
        if (method, template) in PUBLIC_OPERATIONS or "{" not in template:
            continue
        status, audited = request_and_undo(Client(**other), method, path, **body)
        # A write whose body is checked before the record is looked up answers 422, which tells nothing either.
        allowed = {404} if method == "get" else {404, 422}
        if status not in allowed or audited:
            wrong.append(f"{name}: another agency's token gave {status} for our record")
    for kind, cls in sorted(IMPORTERS.items()):
        if not cls.needs_agency:
            status, audited = request_and_undo(
                Client(**own_tokens["write"]),
                "post",
                f"/api/v1/imports/{kind}",
                data={"file": io.BytesIO(b"x")},
            )
            if status != 403 or audited:
                wrong.append(f"POST /api/v1/imports/{kind}: an agency token gave {status}, not 403")
    assert wrong == []


def test_an_agency_token_lists_none_of_another_agencys_records(demo: dict[str, Any]) -> None:
    from touchstone.catalog.models import Service
    from touchstone.complaints.models import Case
    from touchstone.core.models import Office

    own = demo["own"]
    markers = [
        *Office.objects.filter(agency=own).values_list("name", flat=True),
        *Service.objects.filter(agency=own).values_list("name", flat=True),
        *Case.objects.filter(agency=own).values_list("tracking_number", flat=True)[:20],
    ]
    other = Client(**token(demo["other"], ["read"]))
    for path in ["/api/v1/offices", "/api/v1/catalog/services", "/api/v1/complaints", "/api/v1/surveys"]:
        body = other.get(path).content.decode()
        assert not [marker for marker in markers if marker in body], path
