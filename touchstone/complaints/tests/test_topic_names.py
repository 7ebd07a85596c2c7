"""Complaint topics in English and Spanish: a Spanish reader chooses among the topics in Spanish (falling back to
the English name when the agency gave none), and the agency's handlers and admins name their topics on a workspace
page, audited, one name per topic under the same parent, never another agency's topic."""

from touchstone.complaints.models import Article, Topic
from touchstone.conftest import Personas
from touchstone.core.models import AuditEntry


def public_answer_on(personas: Personas, *topics: Topic) -> Article:
    article = Article.objects.create(
        agency=personas.agency_a,
        title="How to replace a lost benefit card",
        body="Call the card line or visit an office with photo ID.",
        public=True,
    )
    article.topics.add(*topics)
    return article


def test_the_spanish_answers_page_names_the_topics_in_spanish_and_falls_back_to_english(
    personas: Personas,
) -> None:
    cards = Topic.objects.create(
        agency=personas.agency_a, name="Benefit cards", name_es="Tarjetas de beneficios"
    )
    lost = Topic.objects.create(
        agency=personas.agency_a, parent=cards, name="Lost card", name_es="Tarjeta perdida"
    )
    hours = Topic.objects.create(agency=personas.agency_a, name="Office hours")  # no Spanish name
    public_answer_on(personas, cards, lost, hours)
    visitor = personas.client(None)
    slug = personas.agency_a.slug

    spanish = visitor.get(f"/es/agencies/{slug}/complaints/answers/")
    assert spanish.status_code == 200
    text = spanish.content.decode()
    assert f'<option value="{cards.pk}">Tarjetas de beneficios</option>' in text
    assert f'<option value="{lost.pk}">Tarjetas de beneficios — Tarjeta perdida</option>' in text
    assert (
        f'<option value="{hours.pk}">Office hours</option>' in text
    )  # the English, when no Spanish is given
    assert ">Benefit cards<" not in text and "Lost card" not in text

    english = visitor.get(f"/agencies/{slug}/complaints/answers/").content.decode()
    assert f'<option value="{cards.pk}">Benefit cards</option>' in english
    assert f'<option value="{lost.pk}">Benefit cards — Lost card</option>' in english
    assert "Tarjeta" not in english

    # The public complaint form offers the same choice, and keeps the chosen topic selected, in Spanish.
    form = visitor.get(f"/es/agencies/{slug}/complaints/new/?topic={lost.pk}").content.decode()
    assert f'<option value="{lost.pk}" selected>Tarjetas de beneficios — Tarjeta perdida</option>' in form


def test_a_spanish_name_falls_back_to_english_for_the_parent_too(personas: Personas) -> None:
    cards = Topic.objects.create(agency=personas.agency_a, name="Benefit cards")
    lost = Topic.objects.create(
        agency=personas.agency_a, parent=cards, name="Lost card", name_es="Tarjeta perdida"
    )
    public_answer_on(personas, lost)
    text = (
        personas.client(None)
        .get(f"/es/agencies/{personas.agency_a.slug}/complaints/answers/")
        .content.decode()
    )
    assert f'<option value="{lost.pk}">Benefit cards — Tarjeta perdida</option>' in text


def test_an_admin_renames_a_topic_and_gives_its_spanish_name_audited(personas: Personas) -> None:
    topic = Topic.objects.create(agency=personas.agency_a, name="Late paymnet")
    admin = personas.client(personas.admin_a)
    slug = personas.agency_a.slug

    setup = admin.get(f"/manage/{slug}/complaints/setup/").content.decode()
    assert f'href="/manage/{slug}/complaints/setup/topics/"' in setup
    assert "1 has no Spanish name" in setup
    listing = admin.get(f"/manage/{slug}/complaints/setup/topics/").content.decode()
    assert f'href="/manage/{slug}/complaints/setup/topics/{topic.pk}/"' in listing
    assert "Late paymnet" in listing and "None: Spanish pages show the English name" in listing

    url = f"/manage/{slug}/complaints/setup/topics/{topic.pk}/"
    page = admin.get(url).content.decode()
    assert 'name="name"' in page and 'name="name_es"' in page and "Name in Spanish" in page
    response = admin.post(url, {"name": " Late payment ", "name_es": "Pago atrasado"})
    assert response.status_code == 302 and response.url == f"/manage/{slug}/complaints/setup/topics/"
    topic.refresh_from_db()
    assert (topic.name, topic.name_es) == ("Late payment", "Pago atrasado")
    entry = AuditEntry.objects.get(object_type="topic", object_id=str(topic.pk))
    assert entry.agency == personas.agency_a and entry.actor == personas.admin_a and entry.action == "updated"
    assert entry.changes == {"name": ["Late paymnet", "Late payment"], "name_es": ["", "Pago atrasado"]}
    listing = admin.get(f"/manage/{slug}/complaints/setup/topics/").content.decode()
    assert "Pago atrasado" in listing


def test_a_handler_names_topics_and_other_roles_may_not(personas: Personas) -> None:
    topic = Topic.objects.create(agency=personas.agency_a, name="Website problems")
    url = f"/manage/{personas.agency_a.slug}/complaints/setup/topics/{topic.pk}/"
    handler = personas.client(personas.handler_a)
    assert (
        handler.post(url, {"name": "Website problems", "name_es": "Problemas con el sitio web"}).status_code
        == 302
    )
    topic.refresh_from_db()
    assert topic.name_es == "Problemas con el sitio web"
    for user in (personas.analyst_a, personas.viewer_a, personas.frontline_a):
        client = personas.client(user)
        assert client.get(f"/manage/{personas.agency_a.slug}/complaints/setup/topics/").status_code == 403
        assert client.post(url, {"name": "Hacked", "name_es": ""}).status_code == 403
    topic.refresh_from_db()
    assert topic.name == "Website problems"


def test_a_duplicate_name_is_a_field_error_not_a_crash(personas: Personas) -> None:
    agency = personas.agency_a
    Topic.objects.create(agency=agency, name="Late payment")
    wrong = Topic.objects.create(agency=agency, name="Wrong amount")
    cards = Topic.objects.create(agency=agency, name="Benefit cards")
    Topic.objects.create(agency=agency, parent=cards, name="Lost card")
    stolen = Topic.objects.create(agency=agency, parent=cards, name="Stolen card")
    admin = personas.client(personas.admin_a)

    # Top-level topics: the database cannot catch this one (no parent), the form does.
    page = admin.post(
        f"/manage/{agency.slug}/complaints/setup/topics/{wrong.pk}/", {"name": "late payment", "name_es": ""}
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert '<a href="#id_name">Name</a>: There is already a topic with this name.' in text
    assert (
        '<span class="usa-error-message" id="id_name_error">There is already a topic with this name.' in text
    )
    wrong.refresh_from_db()
    assert wrong.name == "Wrong amount"

    page = admin.post(
        f"/manage/{agency.slug}/complaints/setup/topics/{stolen.pk}/", {"name": "Lost card", "name_es": ""}
    )
    assert page.status_code == 200
    assert '<a href="#id_name">Name</a>: There is already a topic with this name under Benefit cards.' in (
        page.content.decode()
    )
    # The same name under another parent, or at the top, is another topic.
    assert (
        admin.post(
            f"/manage/{agency.slug}/complaints/setup/topics/{stolen.pk}/",
            {"name": "Wrong amount", "name_es": ""},
        ).status_code
        == 302
    )
    assert not AuditEntry.objects.filter(object_id=str(wrong.pk), object_type="topic").exists()


def test_another_agencys_topic_is_not_found(personas: Personas) -> None:
    theirs = Topic.objects.create(agency=personas.agency_b, name="Their topic")
    admin = personas.client(personas.admin_a)
    url = f"/manage/{personas.agency_a.slug}/complaints/setup/topics/{theirs.pk}/"
    assert admin.get(url).status_code == 404
    assert admin.post(url, {"name": "Ours now", "name_es": "Nuestro"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.name_es) == ("Their topic", "")
    listing = admin.get(f"/manage/{personas.agency_a.slug}/complaints/setup/topics/").content.decode()
    assert "Their topic" not in listing
    # Nor through agency B's workspace, where A's admin is no member.
    assert (
        admin.get(f"/manage/{personas.agency_b.slug}/complaints/setup/topics/{theirs.pk}/").status_code == 404
    )
    # Agency B's own admin may.
    assert (
        personas.client(personas.admin_b)
        .get(f"/manage/{personas.agency_b.slug}/complaints/setup/topics/{theirs.pk}/")
        .status_code
        == 200
    )
