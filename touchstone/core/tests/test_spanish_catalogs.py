"""The Spanish catalogs agree with one another: Django merges them all, and where two give the same English words
different Spanish, only one wins (the project's, then the apps' in INSTALLED_APPS order), so the other page shows
the wrong word ("Hours" of an office read "Horario", and the unit of a benchmark became "Horario" too). Words that
mean different things in different places carry a context (pgettext)."""

import gettext
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def catalogs() -> list[Path]:
    return [
        ROOT / "locale/es/LC_MESSAGES/django.po",
        *sorted(ROOT.glob("touchstone/*/locale/es/LC_MESSAGES/django.po")),
    ]


def test_no_two_catalogs_translate_the_same_words_differently() -> None:
    first: dict[object, tuple[str, Path]] = {}
    disagreements = []
    for po in catalogs():
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run `make messages`"
        with mo.open("rb") as compiled:
            for key, spanish in gettext.GNUTranslations(compiled)._catalog.items():  # type: ignore[attr-defined]
                if key == "":
                    continue  # the header
                if key in first and first[key][0] != spanish:
                    disagreements.append(
                        f"{key!r}: {first[key][0]!r} in {first[key][1]}, {spanish!r} in {po}"
                    )
                first.setdefault(key, (spanish, po))
    assert not disagreements, "\n".join(disagreements)


def test_no_translation_is_left_fuzzy() -> None:
    """A fuzzy entry is never used: the page shows English."""
    for po in catalogs():
        entries = po.read_text(encoding="utf-8").split("\n\n")[1:]  # after the header
        fuzzy = [entry for entry in entries if "#, fuzzy" in entry]
        assert not fuzzy, f"{po}: {fuzzy[0]}"


def test_every_import_and_export_is_described_in_spanish() -> None:
    """Their names and help are gettext'd when the imports page renders, so each needs an entry somewhere."""
    from django.utils import translation
    from django.utils.translation import gettext

    from touchstone.core.importing import EXPORTERS, IMPORTERS

    untranslated = []
    with translation.override("es"):
        for kind, kinds in (("import", IMPORTERS), ("export", EXPORTERS)):
            for name, cls in kinds.items():
                for text in (cls.label, getattr(cls, "help_text", "")):
                    if text and gettext(text) == text:
                        untranslated.append(f"{kind} {name}: {text[:60]}")
    assert not untranslated, "\n".join(untranslated)


def test_every_record_and_field_has_a_spanish_name() -> None:
    """The audit log names records and fields by their verbose names; Django makes one from the attribute when
    the code gives none, so the catalog must hold those too."""
    from django.apps import apps
    from django.utils import translation
    from django.utils.translation import gettext

    def untranslated(name: object) -> bool:
        with translation.override("en"):
            english = str(name)
        with translation.override("es"):
            return gettext(str(name)) == english and english.lower() not in SAME_IN_SPANISH

    missing = set()
    for model in apps.get_models():
        if not model.__module__.startswith("touchstone."):
            continue
        if untranslated(model._meta.verbose_name):
            missing.add(f"{model.__name__}: {model._meta.verbose_name}")
        for field in model._meta.concrete_fields:
            if not field.primary_key and untranslated(field.verbose_name):
                missing.add(f"{model.__name__}.{field.name}: {field.verbose_name}")
    assert not missing, "\n".join(sorted(missing))


SAME_IN_SPANISH = {"sector", "total", "nonce", "epsilon", "spam", "kiosk", "xlsform", "plan", "a11"}
