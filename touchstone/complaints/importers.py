"""Complaints in and out: the CFPB Consumer Complaint Database layout in (kind `cfpb`), the agency's cases out
(kind `complaints`, CSV, narratives only where the customer consented to publication)."""

import datetime as dt
from pathlib import Path
from typing import IO, Any, ClassVar

from django.utils import timezone

from touchstone.complaints.models import Case, CaseEvent, Topic, new_tracking_number
from touchstone.core import audit
from touchstone.core.importing import (
    Exporter,
    ImportContext,
    Importer,
    count_csv_records,
    read_csv_records,
    register_exporter,
    register_importer,
    write_csv,
)
from touchstone.core.models import Agency

CFPB_COLUMNS = [
    "Date received",
    "Product",
    "Sub-product",
    "Issue",
    "Sub-issue",
    "Consumer complaint narrative",
    "Company public response",
    "Company",
    "State",
    "ZIP code",
    "Tags",
    "Consumer consent provided?",
    "Submitted via",
    "Date sent to company",
    "Company response to consumer",
    "Timely response?",
    "Consumer disputed?",
    "Complaint ID",
]
REQUIRED = ["Date received", "Product", "Issue", "Company response to consumer", "Complaint ID"]
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%y", "%Y/%m/%d", "%m/%d/%Y")
RESPONSES = {
    "closed with explanation": Case.Outcome.EXPLANATION,
    "closed with monetary relief": Case.Outcome.MONETARY,
    "closed with non-monetary relief": Case.Outcome.NON_MONETARY,
    "closed with relief": Case.Outcome.NON_MONETARY,
    "closed without relief": Case.Outcome.CLOSED,
    "closed": Case.Outcome.CLOSED,
    "in progress": "",
    "untimely response": "",
}
CHANNELS = {
    "web": "website",
    "web referral": "website",
    "referral": "other_non_digital",
    "phone": "phone",
    "postal mail": "postal_mail",
    "fax": "fax",
    "email": "email",
}


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)


@register_importer
class CfpbImporter(Importer):
    kind: ClassVar[str] = "cfpb"
    label: ClassVar[str] = "Complaints in the CFPB Consumer Complaint Database layout"
    help_text: ClassVar[str] = (
        "One row per complaint with the CFPB's columns. Product and Issue become topics; the company's response "
        "becomes the outcome. Dates as YYYY-MM-DD, MM/DD/YY or YYYY/M/D."
    )

    def count_rows(self, path: Path) -> int | None:
        return count_csv_records(path)

    def load(self, path: Path, context: ImportContext) -> dict[str, Any]:
        agency = context.agency
        assert agency is not None
        known_ids = set(
            Case.objects.filter(agency=agency).exclude(external_id="").values_list("external_id", flat=True)
        )
        seen: dict[str, int] = {}
        parsed: list[dict[str, Any]] = []
        rows = 0
        for line, row in read_csv_records(path, context, REQUIRED):
            rows += 1
            record = self._check(line, row, context, known_ids, seen)
            if record is not None:
                parsed.append(record)
        if context.problems or not parsed:
            return {"rows": rows, "complaints": 0}
        topics: dict[tuple[str, str], Topic] = {}
        now = timezone.now()
        used: set[str] = set(Case.objects.filter(agency=agency).values_list("tracking_number", flat=True))
        cases = []
        for record in parsed:
            key = (record["product"], record["issue"])
            if key not in topics:
                parent, _ = Topic.objects.get_or_create(
                    agency=agency, parent=None, name=record["product"][:200]
                )
                topics[key] = (
                    Topic.objects.get_or_create(agency=agency, parent=parent, name=record["issue"][:200])[0]
                    if record["issue"]
                    else parent
                )
            number = new_tracking_number(agency, record["received"].year)
            while number in used:
                number = new_tracking_number(agency, record["received"].year)
            used.add(number)
            received, sent = _moment(record["received"]), _moment(record["sent"] or record["received"])
            outcome = record["outcome"]
            cases.append(
                Case(
                    agency=agency,
                    tracking_number=number,
                    external_id=record["id"],
                    topic=topics[key],
                    channel=record["channel"],
                    narrative=record["narrative"],
                    consent_to_publish=record["consent"],
                    state_code=record["state"],
                    postal_code=record["zip"],
                    contact_preference=Case.ContactPreference.NONE,
                    state=Case.State.CLOSED if outcome else Case.State.IN_PROGRESS,
                    outcome=outcome,
                    received_at=received,
                    acknowledged_at=sent,
                    first_responded_at=sent if outcome and record["timely"] else None,
                    closed_at=sent if outcome else None,
                    disputed=record["disputed"],
                    created_at=now,
                )
            )
        created = Case.objects.bulk_create(cases, batch_size=1000)
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(case=case, state=case.state, at=case.closed_at or case.received_at)
                for case in created
            ],
            batch_size=1000,
        )
        audit.record(
            actor=context.actor,
            actor_label=context.actor_label,
            action="imported complaints",
            target=agency,
            agency=agency,
            changes={"complaints": [None, len(created)], "kind": [None, self.kind]},
        )
        return {"rows": rows, "complaints": len(created), "topics": len({t.pk for t in topics.values()})}

    def _check(
        self, line: int, row: dict[str, str], context: ImportContext, known: set[str], seen: dict[str, int]
    ) -> dict[str, Any] | None:
        problems_before = len(context.problems)
        received = parse_date(row["Date received"])
        if received is None:
            context.problem(
                line,
                "Date received",
                f"“{row['Date received']}” is not a date; write YYYY-MM-DD, MM/DD/YY or YYYY/M/D.",
            )
        sent_text = row.get("Date sent to company", "").strip()
        sent = parse_date(sent_text) if sent_text else None
        if sent_text and sent is None:
            context.problem(line, "Date sent to company", f"“{sent_text}” is not a date.")
        product, issue = row["Product"].strip(), row["Issue"].strip()
        if not product:
            context.problem(line, "Product", "Every complaint needs a product; it becomes the topic.")
        response = row["Company response to consumer"].strip().lower()
        if response not in RESPONSES:
            context.problem(
                line,
                "Company response to consumer",
                f"“{row['Company response to consumer']}” is not one of the CFPB responses "
                "(Closed with explanation, Closed with monetary relief, Closed with non-monetary relief, Closed, "
                "In progress, Untimely response).",
            )
        complaint_id = row["Complaint ID"].strip()
        if not complaint_id.isdigit():
            context.problem(line, "Complaint ID", f"“{complaint_id}” is not a CFPB complaint number.")
        elif complaint_id in seen:
            context.problem(
                line, "Complaint ID", f"Complaint {complaint_id} is already on line {seen[complaint_id]}."
            )
        elif complaint_id in known:
            context.problem(line, "Complaint ID", f"Complaint {complaint_id} was imported before.")
        else:
            seen[complaint_id] = line
        via = row.get("Submitted via", "").strip().lower()
        if via and via not in CHANNELS:
            context.problem(line, "Submitted via", f"“{row['Submitted via']}” is not a CFPB channel.")
        state = row.get("State", "").strip().upper()
        if state and (len(state) != 2 or not state.isalpha()):
            context.problem(line, "State", f"“{state}” is not a two-letter state code.")
        if len(context.problems) > problems_before or received is None:
            return None
        return {
            "received": received,
            "sent": sent,
            "product": product,
            "issue": issue,
            "outcome": RESPONSES[response],
            "id": complaint_id,
            "channel": CHANNELS.get(via, "other_digital"),
            "narrative": row.get("Consumer complaint narrative", "").strip(),
            "consent": row.get("Consumer consent provided?", "").strip().lower() == "consent provided",
            "state": state,
            "zip": row.get("ZIP code", "").strip()[:10],
            "timely": row.get("Timely response?", "").strip().lower() == "yes",
            "disputed": row.get("Consumer disputed?", "").strip().lower() == "yes",
        }


EXPORT_HEADER = [
    "Tracking number",
    "Date received",
    "Service",
    "Channel",
    "Topic",
    "State",
    "Status",
    "Severity",
    "Urgency",
    "Office",
    "Outcome",
    "Date acknowledged",
    "Date of first response",
    "Date closed",
    "Acknowledged in time",
    "First response in time",
    "Resolved in time",
    "Consumer disputed?",
    "CFPB Complaint ID",
    "Consumer complaint narrative",
]


def _day(value: dt.datetime | None) -> str:
    return value.date().isoformat() if value else ""


def _verdict(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


@register_exporter
class ComplaintsExporter(Exporter):
    kind: ClassVar[str] = "complaints"
    label: ClassVar[str] = "Complaints (CSV; narratives only where the customer consented)"

    def write(self, stream: IO[str], agency: Agency | None) -> None:
        assert agency is not None
        cases = (
            Case.objects.filter(agency=agency)
            .select_related(
                "service", "topic", "topic__parent", "office", "office__complaint_calendar", "policy"
            )
            .order_by("received_at", "pk")
        )

        def rows() -> Any:
            for case in cases.iterator(chunk_size=1000):
                yield [
                    case.tracking_number,
                    _day(case.received_at),
                    case.service.name if case.service else "",
                    case.channel,
                    str(case.topic) if case.topic else "",
                    case.state_code,
                    case.state,
                    case.severity,
                    case.urgency,
                    case.office.name if case.office else "",
                    case.get_outcome_display() if case.outcome else "",
                    _day(case.acknowledged_at),
                    _day(case.first_responded_at),
                    _day(case.closed_at),
                    _verdict(case.met("acknowledge")),
                    _verdict(case.met("first_response")),
                    _verdict(case.met("resolve")),
                    "Yes" if case.disputed else "No",
                    case.external_id,
                    case.narrative if case.consent_to_publish and not case.anonymised_at else "",
                ]

        write_csv(stream, EXPORT_HEADER, rows())
