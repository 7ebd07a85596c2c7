"""Triage predicts the product, then the issue within it, and the office; reads only the structured fields of a case
without a narrative; abstains below the agency's confidence; and on real CFPB complaints beats a plain TF-IDF +
LinearSVC baseline cross-validated on the same folds."""

import io
import random

import numpy as np
from django.core.management import call_command

from touchstone.complaints import services, triage
from touchstone.complaints.models import Case, ComplaintSettings, Topic, TriageModel, TriageSuggestion
from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas, shared_file
from touchstone.core.importing import run_import

CFPB_SOURCE = "a sample of the CFPB Consumer Complaint Database"

WORDS = {
    ("Mortgage", "Escrow"): "escrow account tax insurance payment mortgage servicer shortage",
    ("Mortgage", "Foreclosure"): "foreclosure sale notice mortgage home auction modification",
    ("Debt collection", "Calls"): "collector calls phone harassing every day collection agency",
    ("Debt collection", "Not owed"): "debt not mine collection agency never owed validation letter",
}


def synthetic(
    count: int = 80, with_text: bool = True
) -> tuple[list[triage.Example], dict[str, list[str | None]]]:
    rng = random.Random(3)
    examples, labels = [], {"product": [], "topic": [], "office": []}  # type: ignore[var-annotated]
    keys = list(WORDS)
    for n in range(count):
        product, issue = keys[n % len(keys)]
        words = WORDS[(product, issue)].split()
        narrative = " ".join(rng.choice(words) for _ in range(12)) if with_text else ""
        examples.append(
            triage.Example(narrative, {"channel": "web", "state": "CA" if product == "Mortgage" else "TX"})
        )
        labels["product"].append(product)
        labels["topic"].append(f"{product}/{issue}")
        labels["office"].append("Housing" if product == "Mortgage" else "Collections")
    return examples, labels


def test_triage_predicts_the_product_then_the_issue_within_it_and_the_office() -> None:
    examples, labels = synthetic()
    result = triage.train(examples, labels)
    guess = result.bundle.suggest(
        [triage.Example("my escrow shortage raised the mortgage payment and insurance")]
    )[0]
    assert guess["product"][0] == "Mortgage" and guess["topic"][0] == "Mortgage/Escrow"
    assert guess["office"][0] == "Housing"
    # The issue's confidence is the product's times the issue's within it: never above the product's.
    assert 0 < guess["topic"][1] <= guess["product"][1] <= 1
    assert set(result.metrics["narratives"]["new"]) == {"product", "topic", "office"}
    assert set(result.metrics["narratives"]["baseline"]) == {"product", "topic", "office"}


def test_cases_without_a_narrative_are_triaged_on_their_structured_fields_not_as_text() -> None:
    with_text, labels = synthetic(60)
    without, more = synthetic(60, with_text=False)
    result = triage.train(with_text + without, {k: labels[k] + more[k] for k in labels})
    assert result.metrics["narratives"]["cases"] == 60 and result.metrics["fields_only"]["cases"] == 60
    assert result.bundle.fields is not None and result.bundle.text is not None
    guess = result.bundle.suggest([triage.Example("", {"channel": "web", "state": "CA"})])[0]
    assert guess["product"][0] == "Mortgage"
    assert result.metrics["fields_only"]["new"]["product"]["accuracy"] == 1.0


def _settled_cases(personas: Personas, count: int = 40) -> None:
    housing = Topic.objects.create(agency=personas.agency_a, name="Housing")
    topics = {
        key: Topic.objects.create(agency=personas.agency_a, parent=housing, name=key[1])
        for key in list(WORDS)[:2]
    }
    collections = Topic.objects.create(agency=personas.agency_a, name="Debt collection")
    topics |= {
        key: Topic.objects.create(agency=personas.agency_a, parent=collections, name=key[1])
        for key in list(WORDS)[2:]
    }
    rng = random.Random(5)
    keys = list(WORDS)
    for n in range(count):
        key = keys[n % 4]
        words = WORDS[key].split()
        case = file_case(personas, " ".join(rng.choice(words) for _ in range(12)))
        Case.objects.filter(pk=case.pk).update(topic=topics[key], state=Case.State.CLOSED)


def test_the_agency_sets_the_confidence_below_which_triage_abstains(personas: Personas) -> None:
    _settled_cases(personas)
    services.train_triage(agency=personas.agency_a)
    settings = ComplaintSettings.of(personas.agency_a)
    settings.triage_min_confidence = 0.0
    settings.save()
    sure = file_case(personas, "the escrow shortage raised my mortgage payment and insurance")
    suggestion = TriageSuggestion.objects.get(case=sure)
    assert suggestion.topic is not None and suggestion.topic.name == "Escrow"
    settings.triage_min_confidence = 1.0
    settings.save()
    unsure = file_case(personas, "the escrow shortage raised my mortgage payment and insurance")
    left = TriageSuggestion.objects.get(case=unsure)
    assert left.topic is None and 0 < left.topic_confidence < 1


def test_the_admin_sets_the_triage_confidence_on_the_settings_form(personas: Personas) -> None:
    from touchstone.complaints.forms import SettingsForm

    form = SettingsForm(
        data={
            "retention_days": 1000,
            "dispute_window_days": 30,
            "assignment": "manual",
            "warn_before_hours": 24,
            "triage_min_confidence": 1.5,
        },
        instance=ComplaintSettings.of(personas.agency_a),
    )
    assert not form.is_valid() and "triage_min_confidence" in form.errors


def test_real_cfpb_complaints_imported_whole_train_with_the_new_model_beating_the_baseline(
    personas: Personas,
) -> None:
    path = shared_file("cfpb-complaints", "complaints_part_a.csv", source=CFPB_SOURCE)
    run_import("cfpb", path, agency=personas.agency_a)
    out = io.StringIO()
    call_command("train_triage", agency=personas.agency_a.abbreviation, stdout=out)
    printed = out.getvalue()
    model = TriageModel.objects.get(agency=personas.agency_a)
    narratives = model.metrics["narratives"]
    new, baseline = narratives["new"]["product"], narratives["baseline"]["product"]
    # Measured on this sample, 5-fold: 0.609 against 0.524.
    assert new["macro_f1"] >= baseline["macro_f1"] + 0.05
    assert model.metrics["kept"] == "enriched" and "Kept the new text model" in printed
    # Settled cases only (a few are still in progress): most of the 775 narratives, the rest on their fields.
    assert 700 < narratives["cases"] <= 775 and 2000 < model.metrics["fields_only"]["cases"] <= 3416 - 775
    assert "base F1" in printed and "F1 per class" in printed and "Mortgage" in printed
    # A case with no narrative is suggested a product from its fields alone.
    guess = services._bundle(model).suggest([triage.Example("", {"channel": "web", "state": "FL"})])[0]
    assert guess["product"][0] and np.isfinite(guess["product"][1])
