"""The demo's reports and plans: an issued FY2026 survey report, a FY2027 customer service plan published in
English and Spanish, four quarters of A-11 collections in different states, and an approved action plan.
Idempotent: an agency that already has a report is left as it is."""

import datetime as dt

from django.core.exceptions import ValidationError

from touchstone.catalog.models import Service
from touchstone.core.models import Agency, Membership, Role, User
from touchstone.reports import selectors, services
from touchstone.reports.models import PLAIN_LANGUAGE_CHECKS, DocumentState, SurveyReport
from touchstone.surveys.models import Survey

PLAN_TEXT = {
    "services": (
        "We pay retirement and disability benefits. We also replace lost cards and answer questions on our phone line. "
        "You can use our services if you worked and paid into the program.",
        "Pagamos beneficios de jubilación y de discapacidad. También reemplazamos tarjetas perdidas y contestamos "
        "preguntas por teléfono. Puede usar nuestros servicios si trabajó y pagó al programa.",
    ),
    "standards": (
        "We make clear promises about our service. We count every case, not a sample. Below you can see if we kept "
        "each promise last year.",
        "Hacemos promesas claras sobre nuestro servicio. Contamos cada caso, no una muestra. Abajo puede ver si "
        "cumplimos cada promesa el año pasado.",
    ),
    "channels": (
        "You choose how to reach us. Use our website at any time. Call us on weekdays. Or visit a field office near "
        "you. Each way gets the same answer.",
        "Usted elige cómo comunicarse. Use nuestro sitio web en cualquier momento. Llámenos de lunes a viernes. O "
        "visite una oficina cerca de usted.",
    ),
    "complaints": (
        "If we get it wrong, tell us. Use the form on our website, call us, or tell any office. You get a tracking "
        "number. We reply within five work days.",
        "Si nos equivocamos, díganos. Use el formulario del sitio web, llámenos o hable con una oficina. Recibirá un "
        "número. Le respondemos en cinco días hábiles.",
    ),
    "surveys": (
        "After you use a service, we may ask you five short questions. It takes two minutes. We read every answer. "
        "Next year we will also ask people who call us.",
        "Después de usar un servicio, podemos hacerle cinco preguntas cortas. Toma dos minutos. Leemos cada "
        "respuesta. El próximo año también preguntaremos a quien nos llame.",
    ),
    "benchmarks": (
        "We compare our results with the best service we know. We use the federal and national customer "
        "satisfaction scores. We tell you where each number comes from.",
        "Comparamos nuestros resultados con el mejor servicio que conocemos. Usamos los índices de satisfacción "
        "federal y nacional. Le decimos de dónde viene cada número.",
    ),
    "training": (
        "Every new staff member spends two days learning how to serve you well. Managers learn to read your survey "
        "answers. They use them to fix what you tell us is hard.",
        "Cada empleado nuevo pasa dos días aprendiendo a atenderle bien. Los gerentes aprenden a leer sus "
        "respuestas. Las usan para arreglar lo que usted nos dice que es difícil.",
    ),
}


# The analyst's Spanish for the demo's comments that may be quoted (a translation, marked as such on the page).
COMMENTS_ES = {
    "The wait on the phone was over an hour.": "La espera al teléfono fue de más de una hora.",
    "I waited too long on hold before anyone answered.": "Esperé demasiado en la línea antes de que alguien contestara.",
    "Long wait times at the office, but the staff were kind.": (
        "Largas esperas en la oficina, pero el personal fue amable."
    ),
    "Hold time was terrible again.": "La espera en la línea fue terrible otra vez.",
    "The website timed out twice while I was filling in the form.": (
        "El sitio web se cerró dos veces mientras llenaba el formulario."
    ),
    "The online form kept logging me out.": "El formulario en línea me sacaba de la sesión una y otra vez.",
    "Website was easy and fast.": "El sitio web fue fácil y rápido.",
    "I could not upload my documents on the website.": "No pude subir mis documentos en el sitio web.",
    "The employee who helped me was patient and clear.": "El empleado que me ayudó fue paciente y claro.",
    "Staff were friendly and knew the answers.": "El personal fue amable y sabía las respuestas.",
    "The agent explained every step, thank you.": "El agente me explicó cada paso, gracias.",
    "Very helpful person at the Denver office.": "Una persona muy servicial en la oficina de Denver.",
}


def _clear_example_comments(admin: User, report: SurveyReport) -> None:
    """As an analyst would: quote one example of each of the first three themes, leave one comment out."""
    themes_quoted: set[str] = set()
    left_out = False
    for candidate in selectors.comments_to_review(report):
        quote = candidate["theme"] not in themes_quoted and len(themes_quoted) < 3
        if not quote and left_out:
            continue
        try:
            services.decide_comment(
                actor=admin,
                report=report,
                fingerprint=candidate["fingerprint"],
                quote=quote,
                text=candidate["text"][:600],
                text_es=COMMENTS_ES.get(candidate["text"].strip(), "") if quote else "",
                checked=True,
            )
        except ValidationError:
            continue
        if quote:
            themes_quoted.add(candidate["theme"])
        else:
            left_out = True


def load_reports_demo(agency: Agency) -> None:
    if SurveyReport.objects.filter(agency=agency).exists():
        return
    admin_membership = (
        Membership.objects.filter(agency=agency, role=Role.ADMIN).select_related("user").first()
    )
    if admin_membership is None:
        return
    admin = admin_membership.user
    report = services.start_report(actor=None, agency=agency, period="FY2026 Q4")
    services.write_report(
        actor=admin,
        report=report,
        data={
            "summary": "Over a thousand customers answered our surveys from July to September 2026. Most were "
            "satisfied. Callers to our phone line were the least satisfied.",
            "summary_es": "Más de mil clientes contestaron nuestras encuestas de julio a septiembre de 2026. La "
            "mayoría quedó satisfecha. Quienes llamaron por teléfono quedaron menos satisfechos.",
            "changes": "Phone scores rose during the year after we added staff to the line.",
            "changes_es": "Las calificaciones por teléfono subieron durante el año después de sumar personal.",
            "actions": "We will cut the wait on the phone line and fix the online form that logs people out.",
            "actions_es": "Reduciremos la espera en la línea telefónica y arreglaremos el formulario en línea.",
        },
    )
    _clear_example_comments(admin, report)
    for step in (DocumentState.IN_REVIEW, DocumentState.APPROVED, DocumentState.PUBLISHED):
        services.move_document(actor=admin, document=report, to=step)

    plan = services.start_plan(actor=None, agency=agency, fiscal_year=2027)
    for section, (english, spanish) in PLAN_TEXT.items():
        services.write_plan_section(
            actor=admin,
            plan=plan,
            section=section,
            english=english,
            spanish=spanish,
            checks=list(PLAIN_LANGUAGE_CHECKS),
        )
    plan.refresh_from_db()
    for step in (DocumentState.IN_REVIEW, DocumentState.APPROVED, DocumentState.PUBLISHED):
        services.move_document(actor=admin, document=plan, to=step)

    service = Service.objects.filter(agency=agency, slug="apply-retirement").first()
    survey = Survey.objects.filter(agency=agency, service=service, template="a11-v1").first()
    if service is None:
        return
    states = ["published", "submitted", "change_requested", "draft"]
    for quarter, state in zip((1, 2, 3, 4), states, strict=True):
        collection = services.save_collection(
            actor=None,
            agency=agency,
            data={
                "service": service,
                "channel": "website",
                "transaction_point": Survey.TransactionPoint.POST_INTERACTION,
                "fiscal_year": 2026,
                "quarter": quarter,
                "survey": survey,
                "volume_of_customers": 41000 + 1500 * quarter,
                "volume_offered": 9000 + 400 * quarter,
                "federal_register_url": "https://www.federalregister.gov/d/2025-01234"
                if quarter != 4
                else "",
            },
        )
        if survey is not None:
            services.fill_from_survey(actor=None, collection=collection)
        if state != "draft":
            services.move_collection(actor=admin, collection=collection, to="submitted")
        if state == "published":
            services.move_collection(actor=admin, collection=collection, to="published")
        if state == "change_requested":
            services.move_collection(
                actor=admin,
                collection=collection,
                to="change_requested",
                note="Customers served looks low; check it.",
            )

    action_plan = services.start_action_plan(actor=None, agency=agency, fiscal_year=2027)
    services.write_action_plan(
        actor=admin,
        plan=action_plan,
        capacity_assessment="Two analysts run our surveys. The phone line needs four more staff at peak times. "
        "We have no one yet who can test forms with screen-reader users.",
    )
    for goal, measure, due in (
        ("Answer nine in ten calls within ten minutes.", "efficiency", dt.date(2027, 3, 31)),
        ("Fix the online form so it keeps people signed in.", "ease", dt.date(2027, 6, 30)),
    ):
        services.add_goal(
            actor=admin,
            plan=action_plan,
            data={
                "service": service,
                "goal": goal,
                "measure": measure,
                "owner": "Benefits contact centre",
                "due_date": due,
            },
        )
    for step in (DocumentState.IN_REVIEW, DocumentState.APPROVED):
        services.move_document(actor=admin, document=action_plan, to=step)
    services.schedule_delivery(
        actor=admin, agency=agency, kind="a11_collections", every_days=7, recipients=[admin]
    )
