"""The languages a survey is offered in, and every text of it that a translation covers.

A survey is written in its `default_language`. Spanish keeps the `_es` columns it always had (the API, the
blueprints, the question form and the response exports read them), so it needs no copy; any other language is a
`SurveyTranslation` row. Both are read and written here through one shape, `{text id: text}`, so the owner's
translation page, the XLSForm import and export and the published schema treat every language alike.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from touchstone.surveys.models import Page, Question, Survey, SurveyTranslation

# code: (name in the language itself, English name). The languages U.S. agencies most often translate into
# (the Census top languages spoken at home, and those of the agencies' language access plans).
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "English"),
    "es": ("Español", "Spanish"),
    "ar": ("العربية", "Arabic"),
    "zh-hans": ("简体中文", "Chinese (Simplified)"),
    "zh-hant": ("繁體中文", "Chinese (Traditional)"),
    "vi": ("Tiếng Việt", "Vietnamese"),
    "tl": ("Tagalog", "Tagalog"),
    "ko": ("한국어", "Korean"),
    "fr": ("Français", "French"),
    "ht": ("Kreyòl ayisyen", "Haitian Creole"),
    "ru": ("Русский", "Russian"),
    "pt": ("Português", "Portuguese"),
    "de": ("Deutsch", "German"),
    "it": ("Italiano", "Italian"),
    "pl": ("Polski", "Polish"),
    "hi": ("हिन्दी", "Hindi"),
    "bn": ("বাংলা", "Bengali"),
    "pa": ("ਪੰਜਾਬੀ", "Punjabi"),
    "ur": ("اردو", "Urdu"),
    "fa": ("فارسی", "Farsi"),
    "ps": ("پښتو", "Pashto"),
    "he": ("עברית", "Hebrew"),
    "ja": ("日本語", "Japanese"),
    "so": ("Soomaali", "Somali"),
    "am": ("አማርኛ", "Amharic"),
    "sw": ("Kiswahili", "Swahili"),
    "ne": ("नेपाली", "Nepali"),
    "my": ("မြန်မာ", "Burmese"),
    "uk": ("Українська", "Ukrainian"),
    "hmn": ("Hmoob", "Hmong"),
    "km": ("ខ្មែរ", "Khmer"),
    "lo": ("ລາວ", "Lao"),
    "th": ("ไทย", "Thai"),
    "ti": ("ትግርኛ", "Tigrinya"),
    "yi": ("ייִדיש", "Yiddish"),
    "nv": ("Diné bizaad", "Navajo"),
}
RIGHT_TO_LEFT = {"ar", "he", "fa", "ur", "ps", "yi"}
SPANISH = "es"


def direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def name_of(language: str) -> str:
    return LANGUAGES.get(language, (language, language))[0]


def name_in_page_language(language: str) -> str:
    """The language's name as the reader of the page says it: "German" on an English page, "Alemán" on a Spanish
    one (the English names stay data: XLSForm headers and exports read them)."""
    english = LANGUAGES.get(language, (language, language))[1]
    return pgettext("language name", english)


def code_for(name: str) -> str:
    """The code of an XLSForm language name: "Arabic (ar)", "Español", "fr", "English"; "" when unknown."""
    text = name.strip()
    if text.endswith(")") and "(" in text:
        code = text.rsplit("(", 1)[1].rstrip(")").strip().lower()
        if code in LANGUAGES:
            return code
        text = text.rsplit("(", 1)[0].strip()
    lowered = text.lower()
    if lowered in LANGUAGES:
        return lowered
    for code, names in LANGUAGES.items():
        if lowered in {names[0].lower(), names[1].lower()}:
            return code
    return {"espanol": "es", "chinese": "zh-hans", "farsi": "fa", "persian": "fa", "swahili": "sw"}.get(
        lowered, ""
    )


@dataclass(frozen=True)
class Text:
    """One text a translation covers: its id, where it is (for the translator) and the survey's own wording."""

    id: str
    where: str
    original: str
    long: bool = False


def texts_of(survey: Survey) -> list[Text]:
    """Every text of the survey a respondent reads, in the order the form shows them."""
    out = [Text("survey:title", _("Survey title"), survey.title)]
    if survey.introduction:
        out.append(Text("survey:introduction", _("Introduction"), survey.introduction, long=True))
    if survey.thank_you:
        out.append(Text("survey:thank_you", _("Thank-you message"), survey.thank_you, long=True))
    pages = list(Page.objects.filter(survey=survey).prefetch_related("questions").order_by("position", "pk"))
    for page in pages:
        if page.title:
            out.append(
                Text(f"page:{page.pk}:title", _("Page %(n)s title") % {"n": page.position}, page.title)
            )
        for question in sorted(page.questions.all(), key=lambda q: (q.position, q.pk)):
            where = _("Question %(key)s") % {"key": question.key}
            if question.kind != Question.Kind.HIDDEN:
                out.append(Text(f"question:{question.pk}:text", where, question.text, long=True))
            if question.help_text:
                out.append(
                    Text(
                        f"question:{question.pk}:help_text",
                        _("%(where)s, hint") % {"where": where},
                        question.help_text,
                    )
                )
            for choice in question.choices:
                out.append(
                    Text(
                        f"question:{question.pk}:choice:{choice['value']}",
                        _("%(where)s, choice %(value)s") % {"where": where, "value": choice["value"]},
                        str(choice.get("label", "")),
                    )
                )
    return out


def _spanish_texts(survey: Survey) -> dict[str, str]:
    texts = {
        f"survey:{field}": getattr(survey, f"{field}_es")
        for field in ("title", "introduction", "thank_you")
        if getattr(survey, f"{field}_es")
    }
    for page in survey.pages.all():
        if page.title_es:
            texts[f"page:{page.pk}:title"] = page.title_es
    for question in survey.questions.all():
        if question.text_es:
            texts[f"question:{question.pk}:text"] = question.text_es
        if question.help_text_es:
            texts[f"question:{question.pk}:help_text"] = question.help_text_es
        for choice in question.choices:
            if choice.get("label_es"):
                texts[f"question:{question.pk}:choice:{choice['value']}"] = choice["label_es"]
    return texts


def translation_of(survey: Survey, language: str) -> dict[str, str]:
    """{text id: text} of one language; empty for the survey's own language."""
    if language == survey.default_language:
        return {}
    if language == SPANISH:
        return _spanish_texts(survey)
    row = SurveyTranslation.objects.filter(survey=survey, language=language).first()
    return dict(row.texts) if row else {}


def languages_of(survey: Survey) -> list[str]:
    """The survey's own language first, then every language it has a translation for."""
    codes = [survey.default_language]
    if survey.default_language != SPANISH and _spanish_texts(survey):
        codes.append(SPANISH)
    codes += [code for code in survey.translations.values_list("language", flat=True) if code not in codes]
    return codes


@dataclass(frozen=True)
class Completeness:
    language: str
    translated: int
    total: int
    missing: list[Text]

    @property
    def name(self) -> str:
        return name_of(self.language)

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.translated / self.total)

    @property
    def is_default(self) -> bool:
        return not self.total and not self.missing


def completeness(survey: Survey) -> list[Completeness]:
    """How much of the survey each of its languages covers; what is missing shows in the default language."""
    texts = [text for text in texts_of(survey) if text.original.strip()]
    out = []
    for language in languages_of(survey)[1:]:
        have = translation_of(survey, language)
        missing = [text for text in texts if not have.get(text.id, "").strip()]
        out.append(Completeness(language, len(texts) - len(missing), len(texts), missing))
    return out


def write_spanish(survey: Survey, texts: dict[str, str]) -> None:
    """Spanish goes to the `_es` columns, where the rest of the product reads it."""
    for field in ("title", "introduction", "thank_you"):
        setattr(survey, f"{field}_es", texts.get(f"survey:{field}", ""))
    survey.save(update_fields=["title_es", "introduction_es", "thank_you_es", "updated_at"])
    for page in survey.pages.all():
        page.title_es = texts.get(f"page:{page.pk}:title", "")[:200]
        page.save(update_fields=["title_es"])
    for question in survey.questions.all():
        question.text_es = texts.get(f"question:{question.pk}:text", "")
        question.help_text_es = texts.get(f"question:{question.pk}:help_text", "")[:300]
        question.choices = [
            {**choice, "label_es": texts.get(f"question:{question.pk}:choice:{choice['value']}", "")}
            for choice in question.choices
        ]
        question.save(update_fields=["text_es", "help_text_es", "choices"])


def schema_texts(survey: Survey) -> dict[str, dict[str, str]]:
    """{language: {text id: text}} of every translation but Spanish (whose texts the schema carries as `_es`)."""
    return {
        row.language: dict(row.texts)
        for row in SurveyTranslation.objects.filter(survey=survey).exclude(language=SPANISH)
        if row.language != survey.default_language
    }


def translated(item: dict[str, Any], field: str, language: str) -> str:
    """A frozen schema item's (page, question or choice) text in `language`, else its own."""
    if language == SPANISH and item.get(f"{field}_es"):
        return str(item[f"{field}_es"])
    text = ((item.get("texts") or {}).get(language) or {}).get(field)
    return str(text or item.get(field) or "")


def respondent_language(survey: Survey, requested: str, interface: str, resumed: str = "") -> str:
    """The language the public form shows: the one asked for (the picker's `lang`), the one a resumed answer was
    begun in, the site's, or else the survey's own. A version published before languages were kept offers
    English and Spanish, as it always did."""
    version = survey.current_version
    offered = (version.schema.get("languages") if version else None) or ["en", SPANISH]
    for language in (requested, resumed, interface):
        if language and language in offered:
            return language
    return str(offered[0])


def picker(survey: Survey, current: str, query: dict[str, str]) -> list[dict[str, Any]]:
    """Links to the form in each language it is offered in (none when there is only one), keeping the link's
    other parameters."""
    from urllib.parse import urlencode

    version = survey.current_version
    offered = (version.schema.get("languages") if version else None) or []
    if len(offered) < 2:
        return []
    kept = {key: value for key, value in query.items() if key not in {"lang", "page", "resume"}}
    return [
        {
            "code": code,
            "name": name_of(code),
            "url": "?" + urlencode({**kept, "lang": code}),
            "current": code == current,
            "direction": direction(code),
        }
        for code in offered
    ]
