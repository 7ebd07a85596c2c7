"""The customer service plan (EO 12862 §3): every section, a readability check and a plain-language checklist
before approval, published publicly in English and Spanish, with every version kept."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from touchstone.conftest import Personas
from touchstone.reports import readability, services
from touchstone.reports.models import PLAIN_LANGUAGE_CHECKS, DocumentState, PlanSection, ServicePlan

EASY = "We answer your call. We help you fast. You can ask us anything."
HARD = (
    "Notwithstanding the aforementioned considerations, beneficiaries experiencing administrative "
    "complications should consequently communicate documentation electronically through authorized "
    "intermediaries."
)


def written(plan: ServicePlan, english: str = EASY, spanish: str = "Contestamos su llamada.") -> ServicePlan:
    for section in PlanSection.values:
        services.write_plan_section(
            actor=None,
            plan=plan,
            section=section,
            english=english,
            spanish=spanish,
            checks=list(PLAIN_LANGUAGE_CHECKS),
        )
    plan.refresh_from_db()
    return plan


def published(plan: ServicePlan, admin: object) -> ServicePlan:
    for state in ("in_review", "approved", "published"):
        plan = services.move_document(actor=admin, document=plan, to=state)  # type: ignore[arg-type,assignment]
    return plan


def test_flesch_kincaid_grade_matches_the_formula_on_a_counted_example() -> None:
    # 2 sentences, 10 words, 11 syllables (happy has two): 0.39 * 5 + 11.8 * 1.1 - 15.59 = -0.66
    assert readability.grade("The cat sat on the mat. The happy dog ran.") == -0.7
    assert readability.syllables("beneficiaries") >= 5
    assert readability.grade("") is None


def test_a_hard_section_is_flagged_above_grade_8_with_its_hardest_sentences(personas: Personas) -> None:
    check = readability.check(EASY + " " + HARD)
    assert check.too_hard
    assert check.hardest[0][0] == HARD
    assert not readability.check(EASY).too_hard


def test_the_plan_page_shows_each_sections_grade_and_the_hard_sentences(personas: Personas) -> None:
    plan = services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    services.write_plan_section(
        actor=None, plan=plan, section="complaints", english=HARD, spanish="", checks=[]
    )
    page = personas.client(personas.viewer_a).get(
        reverse("manage:reports:plan", args=[personas.agency_a.slug, plan.pk])
    )
    text = page.content.decode()
    assert "Above grade 8" in text
    assert "Notwithstanding the aforementioned" in text


def test_a_plan_cannot_be_approved_until_every_section_is_written_and_checked(personas: Personas) -> None:
    plan = services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    services.move_document(actor=personas.analyst_a, document=plan, to="in_review")
    move = reverse("manage:reports:plan-move", args=[personas.agency_a.slug, plan.pk])
    page = personas.client(personas.admin_a).post(move, {"to": "approved"}, follow=True)
    assert "How we train our staff" in page.content.decode()  # named among what is missing
    plan.refresh_from_db()
    assert plan.state == DocumentState.IN_REVIEW


def test_the_section_form_saves_english_spanish_and_the_checks(personas: Personas) -> None:
    plan = services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    url = reverse("manage:reports:plan-section", args=[personas.agency_a.slug, plan.pk, "training"])
    personas.client(personas.analyst_a).post(
        url, {"english": EASY, "spanish": "Le ayudamos.", "checks": ["audience", "short"]}
    )
    plan.refresh_from_db()
    assert plan.text("training", "es") == "Le ayudamos."
    assert plan.checklist["training"] == ["audience", "short"]
    assert personas.client(personas.viewer_a).post(url, {"english": "x"}).status_code == 403


def test_the_public_sees_the_published_plan_in_english_and_spanish(personas: Personas) -> None:
    plan = published(
        written(services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)), personas.admin_a
    )
    english = personas.client(None).get(f"/agencies/{personas.agency_a.slug}/customer-service-plan/")
    assert english.status_code == 200
    assert EASY in english.content.decode()
    spanish = personas.client(None).get(f"/es/agencies/{personas.agency_a.slug}/customer-service-plan/")
    assert "Contestamos su llamada." in spanish.content.decode()
    assert plan.approved_by == personas.admin_a


def test_a_new_published_version_supersedes_the_old_which_is_kept(personas: Personas) -> None:
    first = published(
        written(services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)), personas.admin_a
    )
    second = services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    assert second.version == 2 and second.text("services") == EASY  # starts from the text before
    second = published(written(second, english="We pay benefits. You can apply online."), personas.admin_a)
    first.refresh_from_db()
    assert first.state == DocumentState.SUPERSEDED and first.published_at is not None
    page = personas.client(None).get(f"/agencies/{personas.agency_a.slug}/customer-service-plan/")
    assert "You can apply online." in page.content.decode()


def test_no_published_plan_is_a_404_for_the_public(personas: Personas) -> None:
    services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    assert (
        personas.client(None).get(f"/agencies/{personas.agency_a.slug}/customer-service-plan/").status_code
        == 404
    )


def test_staff_of_another_agency_get_404(personas: Personas) -> None:
    plan = services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)
    client = personas.client(personas.admin_b)
    for args in ([personas.agency_a.slug, plan.pk], [personas.agency_b.slug, plan.pk]):
        assert client.get(reverse("manage:reports:plan", args=args)).status_code == 404
        assert (
            client.post(reverse("manage:reports:plan-move", args=args), {"to": "in_review"}).status_code
            == 404
        )


def test_the_agencys_portal_page_links_to_the_published_plan_only_once_published(personas: Personas) -> None:
    page = f"/agencies/{personas.agency_a.slug}/"
    plan_url = f"/agencies/{personas.agency_a.slug}/customer-service-plan/"
    plan = written(services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027))
    assert plan_url not in personas.client(None).get(page).content.decode()
    published(plan, personas.admin_a)
    assert plan_url in personas.client(None).get(page).content.decode()


def test_the_public_plan_says_in_words_of_its_language_when_it_was_published(personas: Personas) -> None:
    plan = published(
        written(services.start_plan(actor=None, agency=personas.agency_a, fiscal_year=2027)), personas.admin_a
    )
    day = timezone.make_aware(dt.datetime(2026, 11, 30, 9, 56))
    ServicePlan.objects.filter(pk=plan.pk).update(published_at=day)
    path = f"/agencies/{personas.agency_a.slug}/customer-service-plan/"
    assert "Published Nov. 30, 2026." in personas.client(None).get(path).content.decode()
    spanish = personas.client(None).get(f"/es{path}").content.decode()
    assert "Publicado el 30 de noviembre de 2026." in spanish and "2026-11-30" not in spanish
