"""The demo's survey in three languages: the A-11 questions in English, Spanish (the blueprint's) and Arabic, so
the language picker, the right-to-left layout and the owner's completeness figures have something to show."""

from touchstone.core.models import Agency
from touchstone.surveys import services
from touchstone.surveys.models import Survey

ARABIC_QUESTIONS = {
    "satisfaction": "أنا راضٍ عن الخدمة التي تلقيتها.",
    "trust": "زاد هذا التعامل من ثقتي في هذه الوكالة.",
    "effectiveness": "تمت تلبية حاجتي.",
    "ease": "كان من السهل إنجاز ما كنت أحتاج إلى القيام به.",
    "efficiency": "استغرق إنجاز ما كنت أحتاج إليه وقتًا معقولًا.",
    "equity": "عوملت بإنصاف.",
    "employee": "كان الموظفون الذين تعاملت معهم متعاونين.",
    "comment_scores": "هل لديك أي ملاحظات إضافية على إجاباتك أعلاه؟",
    "comment_service": "هل لديك أي ملاحظات إضافية على هذه الخدمة؟",
}
ARABIC_AGREEMENT = {
    "1": "أعارض بشدة",
    "2": "أعارض",
    "3": "لا أوافق ولا أعارض",
    "4": "أوافق",
    "5": "أوافق بشدة",
}
TITLE = "Tell us about your visit"


def load_language_demo(agency: Agency) -> Survey:
    """Published once; loading the demo again finds it and leaves it be."""
    survey = Survey.objects.filter(agency=agency, title=TITLE).first()
    if survey is not None:
        return survey
    import datetime as dt

    survey = services.create_survey(
        actor=None,
        agency=agency,
        data={
            "title": TITLE,
            "title_es": "Cuéntenos sobre su visita",
            "introduction": "Five questions about the visit you just made. It takes about two minutes.",
            "introduction_es": "Cinco preguntas sobre la visita que acaba de hacer. Toma unos dos minutos.",
            "omb_control_number": "1090-0011",
            "omb_expiration_date": dt.date(2027, 1, 31),
        },
        blueprint="a11-v1",
    )
    services.add_language(actor=None, survey=survey, language="ar")
    texts = {
        "survey:title": "أخبرنا عن زيارتك",
        "survey:introduction": "خمسة أسئلة عن الزيارة التي قمت بها للتو. تستغرق دقيقتين تقريبًا.",
        "survey:thank_you": "شكرًا لك. إجاباتك تساعدنا على التحسين.",
    }
    for question in survey.questions.all():
        if question.key in ARABIC_QUESTIONS:
            texts[f"question:{question.pk}:text"] = ARABIC_QUESTIONS[question.key]
        for choice in question.choices:
            if choice["value"] in ARABIC_AGREEMENT:
                texts[f"question:{question.pk}:choice:{choice['value']}"] = ARABIC_AGREEMENT[choice["value"]]
    services.save_translation(actor=None, survey=survey, language="ar", texts=texts)
    services.change_status(actor=None, survey=survey, status=Survey.Status.PUBLISHED)
    return survey
