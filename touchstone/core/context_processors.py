from typing import Any

from django.conf import settings
from django.http import HttpRequest


def touchstone(request: HttpRequest) -> dict[str, Any]:
    return {
        "oidc_sign_in_url": settings.OIDC_SIGN_IN_URL,
        "oidc_provider_name": settings.OIDC_PROVIDER_NAME,
        "membership": getattr(request, "membership", None),
    }
