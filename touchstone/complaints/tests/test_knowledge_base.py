"""The knowledge base: an admin writes answers (English and Spanish, tagged by topic, public or internal); handlers
see the answers most like a case; a person about to file sees the public answers on their topic, in their
language, without JavaScript, and says whether one answered the question."""

from touchstone.complaints.models import Article, EmailIntake, Topic
from touchstone.complaints.tests.factories import file_case
from touchstone.conftest import Personas

REPLACEMENT = "How to replace a lost benefit card"
REPLACEMENT_BODY = (
    "Call the card line or visit an office with photo ID; a new benefit card arrives in ten days."
)


def articles(personas: Personas) -> tuple[Topic, Article, Article]:
    cards = Topic.objects.create(agency=personas.agency_a, name="Benefit cards")
    public = Article.objects.create(
        agency=personas.agency_a,
        title=REPLACEMENT,
        body=REPLACEMENT_BODY,
        title_es="Cómo reemplazar una tarjeta de beneficios perdida",
        body_es="Llame a la línea de tarjetas o visite una oficina con identificación.",
        public=True,
    )
    public.topics.add(cards)
    internal = Article.objects.create(
        agency=personas.agency_a,
        title="Escalating a lost card to the card vendor",
        body="Open a vendor ticket when a lost benefit card is not replaced within ten days.",
        public=False,
    )
    internal.topics.add(cards)
    return cards, public, internal


def test_an_admin_writes_an_answer_and_spanish_needs_both_title_and_text(personas: Personas) -> None:
    cards = Topic.objects.create(agency=personas.agency_a, name="Benefit cards")
    admin = personas.client(personas.admin_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/setup/answers/new/"
    page = admin.post(
        url, {"title": REPLACEMENT, "body": REPLACEMENT_BODY, "title_es": "Tarjeta", "body_es": ""}
    )
    assert "Give both the Spanish title and the Spanish answer, or neither." in page.content.decode()
    response = admin.post(
        url, {"title": REPLACEMENT, "body": REPLACEMENT_BODY, "topics": [cards.pk], "public": "on"}
    )
    assert response.status_code == 302
    article = Article.objects.get(agency=personas.agency_a)
    assert article.public and list(article.topics.all()) == [cards]
    setup = admin.get(f"/manage/{personas.agency_a.slug}/complaints/setup/").content.decode()
    assert REPLACEMENT in setup and "0 of 0 readers" in setup
    edit = f"/manage/{personas.agency_a.slug}/complaints/setup/answers/{article.pk}/"
    admin.post(edit, {"title": REPLACEMENT, "body": "Shorter.", "topics": [cards.pk]})
    article.refresh_from_db()
    assert article.body == "Shorter." and not article.public
    assert personas.client(personas.handler_a).get(edit).status_code == 403


def test_a_handler_sees_the_answers_most_like_the_case_public_or_internal(personas: Personas) -> None:
    _cards, public, internal = articles(personas)
    Article.objects.create(agency=personas.agency_a, title="Office hours", body="Offices open at nine.")
    case = file_case(personas, "I lost my benefit card last week and nobody has replaced it.")
    page = personas.client(personas.handler_a).get(
        f"/manage/{personas.agency_a.slug}/complaints/cases/{case.pk}/"
    )
    text = page.content.decode()
    assert "Answers that may help" in text and public.title in text and internal.title in text
    assert "Office hours" not in text


def test_the_public_form_offers_the_public_answers_on_the_chosen_topic_without_javascript(
    personas: Personas,
) -> None:
    cards, public, internal = articles(personas)
    visitor = personas.client(None)
    form = visitor.get(f"/agencies/{personas.agency_a.slug}/complaints/new/").content.decode()
    assert "this may answer your question" in form and f'value="{cards.pk}"' in form
    assert REPLACEMENT not in form  # nothing until a topic is chosen
    chosen = visitor.get(
        f"/agencies/{personas.agency_a.slug}/complaints/new/?topic={cards.pk}"
    ).content.decode()
    assert REPLACEMENT in chosen and internal.title not in chosen
    assert 'name="narrative"' in chosen  # the complaint form is still there below
    spanish = visitor.get(f"/es/agencies/{personas.agency_a.slug}/complaints/new/?topic={cards.pk}")
    assert "Cómo reemplazar una tarjeta de beneficios perdida" in spanish.content.decode()
    index = visitor.get(f"/agencies/{personas.agency_a.slug}/complaints/answers/").content.decode()
    assert REPLACEMENT in index and internal.title not in index


def test_a_reader_says_whether_the_answer_helped_and_internal_answers_are_not_public(
    personas: Personas,
) -> None:
    _cards, public, internal = articles(personas)
    visitor = personas.client(None)
    url = f"/agencies/{personas.agency_a.slug}/complaints/answers/{public.pk}/"
    page = visitor.get(url).content.decode()
    assert REPLACEMENT_BODY in page and "Did this answer your question?" in page
    assert visitor.post(url, {"helped": "yes"}).status_code == 302
    no = visitor.post(url, {"helped": "no"})
    assert no.url.endswith(f"/agencies/{personas.agency_a.slug}/complaints/new/")
    public.refresh_from_db()
    assert (public.helped, public.did_not_help) == (1, 1)
    assert (
        visitor.get(f"/agencies/{personas.agency_a.slug}/complaints/answers/{internal.pk}/").status_code
        == 404
    )
    assert (
        visitor.get(f"/agencies/{personas.agency_b.slug}/complaints/answers/{public.pk}/").status_code == 404
    )


def test_an_admin_sets_up_complaint_email_naming_variables_never_secrets(personas: Personas) -> None:
    admin = personas.client(personas.admin_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/setup/email/"
    values = {
        "imap_host": "imap.agency.example.gov",
        "imap_port": 993,
        "imap_tls": "on",
        "imap_username": "complaints",
        "imap_password_env": "hunter2 is my password",
        "imap_folder": "INBOX",
        "imap_done_folder": "",
        "webhook_secret_env": "",
    }
    page = admin.post(url, values).content.decode()
    assert "Give the name of an environment variable" in page
    assert admin.post(url, values | {"imap_password_env": "AAA_IMAP_PASSWORD"}).status_code == 302
    intake = EmailIntake.objects.get(agency=personas.agency_a)
    assert intake.polls and intake.imap_password_env == "AAA_IMAP_PASSWORD"
    assert (
        "is read every minute"
        in admin.get(f"/manage/{personas.agency_a.slug}/complaints/setup/").content.decode()
    )
