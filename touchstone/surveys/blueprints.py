"""Ready-made instruments, in English and Spanish, editable once created: A-11 v1 and v2, an ACSI-style trio,
NPS, an expectations-versus-experience (SERVQUAL-style) block, and the front-line employee survey of EO §1(e)."""

from dataclasses import dataclass, field
from typing import Any

AGREE_5 = [
    ("1", "Strongly disagree", "Totalmente en desacuerdo"),
    ("2", "Disagree", "En desacuerdo"),
    ("3", "Neither agree nor disagree", "Ni de acuerdo ni en desacuerdo"),
    ("4", "Agree", "De acuerdo"),
    ("5", "Strongly agree", "Totalmente de acuerdo"),
]
A11_V2_OPTIONS = [
    ("effectiveness", "It did what I needed", "Hizo lo que necesitaba"),
    ("ease", "It was easy", "Fue fácil"),
    ("efficiency", "It was quick", "Fue rápido"),
    ("transparency", "It was clear what to expect", "Estaba claro qué esperar"),
    ("humanity", "I was treated with respect", "Me trataron con respeto"),
    ("employee", "Staff were helpful", "El personal fue útil"),
    ("other", "Something else", "Otra cosa"),
]
NEGATIVE_V2_OPTIONS = [
    ("effectiveness", "It did not do what I needed", "No hizo lo que necesitaba"),
    ("ease", "It was hard", "Fue difícil"),
    ("efficiency", "It took too long", "Tomó demasiado tiempo"),
    ("transparency", "It was not clear what to expect", "No estaba claro qué esperar"),
    ("humanity", "I was not treated with respect", "No me trataron con respeto"),
    ("employee", "Staff were not helpful", "El personal no fue útil"),
    ("other", "Something else", "Otra cosa"),
]


@dataclass
class Item:
    key: str
    kind: str
    text: str
    text_es: str
    measures: str = ""
    required: bool = False
    choices: list[tuple[str, str, str]] = field(default_factory=list)
    show_if: dict[str, Any] = field(default_factory=dict)
    dimension: str = ""
    help_text: str = ""
    help_text_es: str = ""
    max_length: int | None = None


@dataclass
class Blueprint:
    slug: str
    name: str
    description: str
    audience: str = "customers"
    pages: list[list[Item]] = field(default_factory=list)


def _a11_v1() -> Blueprint:
    items = [
        Item(
            "satisfaction",
            "likert5",
            "I am satisfied with the service I received.",
            "Estoy satisfecho con el servicio que recibí.",
            "satisfaction",
            True,
        ),
        Item(
            "trust",
            "likert5",
            "This interaction increased my confidence in this agency.",
            "Esta interacción aumentó mi confianza en esta agencia.",
            "trust",
        ),
        Item(
            "effectiveness", "likert5", "My need was addressed.", "Se atendió mi necesidad.", "effectiveness"
        ),
        Item(
            "ease",
            "likert5",
            "It was easy to complete what I needed to do.",
            "Fue fácil completar lo que necesitaba hacer.",
            "ease",
        ),
        Item(
            "efficiency",
            "likert5",
            "It took a reasonable amount of time to do what I needed to do.",
            "Me tomó un tiempo razonable hacer lo que necesitaba hacer.",
            "efficiency",
        ),
        Item("equity", "likert5", "I was treated fairly.", "Me trataron de manera justa.", "equity"),
        Item(
            "employee",
            "likert5",
            "Employees I interacted with were helpful.",
            "Los empleados con los que interactué fueron útiles.",
            "employee",
        ),
        Item(
            "comment_scores",
            "long_text",
            "Any additional feedback on your scores above?",
            "¿Algún otro comentario sobre sus respuestas anteriores?",
            "comment",
            max_length=2000,
        ),
        Item(
            "comment_service",
            "long_text",
            "Any additional feedback for this service?",
            "¿Algún otro comentario sobre este servicio?",
            "comment",
            max_length=2000,
        ),
    ]
    for item in items[:7]:
        item.choices = AGREE_5
    return Blueprint(
        "a11-v1",
        "A-11 customer experience survey (version 1, seven drivers)",
        "The seven OMB Circular A-11 §280 drivers on a 5-point agreement scale, and two comments.",
        pages=[items],
    )


def _a11_v2() -> Blueprint:
    return Blueprint(
        "a11-v2",
        "A-11 customer experience survey (version 2, trust and what went well)",
        "One trust question, then what went well (4-5) or what did not (1-3), then a comment.",
        pages=[
            [
                Item(
                    "question_1",
                    "likert5",
                    "I trust this agency to fulfill our country's commitment to people like me.",
                    "Confío en que esta agencia cumplirá el compromiso de nuestro país con personas como yo.",
                    "trust",
                    True,
                    AGREE_5,
                ),
                Item(
                    "positive",
                    "multiple",
                    "What went well?",
                    "¿Qué salió bien?",
                    "went_well",
                    choices=A11_V2_OPTIONS,
                    show_if={"question": "question_1", "values": [4, 5]},
                ),
                Item(
                    "negative",
                    "multiple",
                    "What didn't go so well?",
                    "¿Qué no salió tan bien?",
                    "went_badly",
                    choices=NEGATIVE_V2_OPTIONS,
                    show_if={"question": "question_1", "values": [1, 2, 3]},
                ),
                Item(
                    "question_4",
                    "long_text",
                    "Is there anything else you'd like to tell us?",
                    "¿Hay algo más que quiera decirnos?",
                    "comment",
                    max_length=2000,
                ),
            ]
        ],
    )


def _acsi() -> Blueprint:
    return Blueprint(
        "acsi",
        "ACSI-style satisfaction index (three 10-point items)",
        "Overall satisfaction, expectations met, and comparison with an ideal: a 0-100 index.",
        pages=[
            [
                Item(
                    "acsi_overall",
                    "scale1_10",
                    "How satisfied are you with this service overall? "
                    "(1 very dissatisfied, 10 very satisfied)",
                    "¿Qué tan satisfecho está con este servicio "
                    "en general? (1 muy insatisfecho, 10 muy satisfecho)",
                    "acsi",
                    True,
                ),
                Item(
                    "acsi_expectations",
                    "scale1_10",
                    "How well did it meet your expectations? (1 falls short, 10 exceeds)",
                    "¿En qué medida cumplió sus expectativas? (1 no las cumplió, 10 las superó)",
                    "acsi",
                    True,
                ),
                Item(
                    "acsi_ideal",
                    "scale1_10",
                    "How close is it to the ideal service? (1 very far, 10 very close)",
                    "¿Qué tan cerca está del servicio ideal? (1 muy lejos, 10 muy cerca)",
                    "acsi",
                    True,
                ),
            ]
        ],
    )


def _nps() -> Blueprint:
    return Blueprint(
        "nps",
        "Likelihood to recommend (NPS)",
        "0-10 likelihood to recommend and why.",
        pages=[
            [
                Item(
                    "recommend",
                    "scale0_10",
                    "How likely are you to recommend this service to a friend or family member?",
                    "¿Qué tan probable es que recomiende este servicio a un amigo o familiar?",
                    "nps",
                    True,
                ),
                Item(
                    "recommend_why",
                    "long_text",
                    "What is the main reason for your score?",
                    "¿Cuál es la razón principal de su puntuación?",
                    "comment",
                    max_length=2000,
                ),
            ]
        ],
    )


SERVQUAL_ITEMS = [
    (
        "reliability",
        "do what they promise, when they promise it",
        "hacer lo que prometen, cuando lo prometen",
    ),
    ("responsiveness", "help me promptly", "ayudarme con prontitud"),
    ("assurance", "know the answers to my questions", "saber responder a mis preguntas"),
    ("empathy", "understand my situation", "entender mi situación"),
    ("tangibles", "have clear forms and websites", "tener formularios y sitios web claros"),
]


def _servqual() -> Blueprint:
    expect = [
        Item(
            f"expect_{dim}",
            "likert7",
            f"An excellent agency would {text}.",
            f"Una agencia excelente debería {text_es}.",
            "expectation",
            dimension=dim,
        )
        for dim, text, text_es in SERVQUAL_ITEMS
    ]
    got = [
        Item(
            f"got_{dim}",
            "likert7",
            f"This agency did {text}.",
            f"Esta agencia logró {text_es}.",
            "perception",
            dimension=dim,
        )
        for dim, text, text_es in SERVQUAL_ITEMS
    ]
    return Blueprint(
        "servqual",
        "Expectations versus experience (SERVQUAL-style)",
        "What an excellent agency would do, then what this one did, on five dimensions.",
        pages=[expect, got],
    )


def _employees() -> Blueprint:
    return Blueprint(
        "employee-voice",
        "Front-line employee survey (EO 12862 §1(e))",
        "Anonymous: barriers to, and ideas for, matching the best in business, with engagement items.",
        audience="employees",
        pages=[
            [
                Item(
                    "engaged",
                    "likert5",
                    "I have the tools and information I need to serve customers well.",
                    "Tengo las herramientas y la información que necesito para atender bien al público.",
                    "",
                    True,
                    AGREE_5,
                ),
                Item(
                    "heard",
                    "likert5",
                    "My ideas for serving customers better are heard.",
                    "Se escuchan mis ideas para atender mejor al público.",
                    "",
                    True,
                    AGREE_5,
                ),
                Item(
                    "proud",
                    "likert5",
                    "I would recommend our service to a friend.",
                    "Recomendaría nuestro servicio a un amigo.",
                    "",
                    False,
                    AGREE_5,
                ),
                Item(
                    "barrier",
                    "long_text",
                    "What gets in the way of giving customers the best service?",
                    "¿Qué le impide dar el mejor servicio al público?",
                    "barrier",
                    max_length=2000,
                    help_text="Do not name people. Describe the rule, process or tool.",
                    help_text_es="No nombre a personas. Describa la norma, el proceso o la herramienta.",
                ),
                Item(
                    "idea",
                    "long_text",
                    "What one change would help most?",
                    "¿Qué cambio ayudaría más?",
                    "idea",
                    max_length=2000,
                ),
            ]
        ],
    )


def _complaint_follow_up() -> Blueprint:
    return Blueprint(
        "complaint-follow-up",
        "After a complaint is closed: was it resolved, how was it handled",
        "Sent with the decision on a complaint (EO 12862 §1(h)); its answers also feed complaint insight.",
        pages=[
            [
                Item(
                    "resolved",
                    "yes_no",
                    "Was your complaint resolved?",
                    "¿Se resolvió su queja?",
                    "effectiveness",
                    True,
                ),
                Item(
                    "handling_satisfaction",
                    "likert5",
                    "I am satisfied with how my complaint was handled.",
                    "Estoy satisfecho con la forma en que se atendió mi queja.",
                    "satisfaction",
                    True,
                    AGREE_5,
                ),
            ]
        ],
    )


BLUEPRINTS: dict[str, Blueprint] = {
    b.slug: b
    for b in (_a11_v1(), _a11_v2(), _acsi(), _nps(), _servqual(), _employees(), _complaint_follow_up())
}
