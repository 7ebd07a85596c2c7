from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language


def touchstone(request: HttpRequest) -> dict[str, Any]:
    return {
        "oidc_sign_in_url": f"{reverse('oidc_authentication_init')}?language={get_language() or 'en'}"
        if settings.OIDC_ENABLED
        else settings.OIDC_SIGN_IN_URL,
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
        "membership": getattr(request, "membership", None),
    }
