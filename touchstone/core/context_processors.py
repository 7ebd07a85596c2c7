from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language

from touchstone.core import access, oidc


def touchstone(request: HttpRequest) -> dict[str, Any]:
    language = get_language() or "en"
    choices = oidc.sign_in_choices(language)
    if (
        not choices and settings.OIDC_SIGN_IN_URL
    ):  # a sign-in handled elsewhere (EXTRA_AUTHENTICATION_BACKENDS)
        choices = [(settings.OIDC_PROVIDER_NAME, settings.OIDC_SIGN_IN_URL)]
    return {
        "sign_in_providers": choices,
        "sign_in_agency": access.sign_in_agency(request),
        "membership": getattr(request, "membership", None),
    }
