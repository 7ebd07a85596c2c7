"""API clients present a token (Authorization: Bearer ts_...). The token fixes the agency every call is scoped to."""

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from touchstone.core.models import ApiToken
from touchstone.core.selectors import cached_active_token
from touchstone.core.services import note_token_used


class TokenAuth(HttpBearer):
    def __init__(self, scope: str = ApiToken.Scope.READ) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = cached_active_token(token)
        if api_token is None:
            return None
        if not api_token.allows(self.scope):
            raise HttpError(
                403, f"This token lacks the '{self.scope}' scope; an agency admin can issue one that has it."
            )
        note_token_used(api_token)
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token


class ReadToken(TokenAuth):
    """A token with the read scope (the OpenAPI schema names each scope by its class)."""


class SubmitToken(TokenAuth):
    """A token with the submit scope: responses and complaints in."""


class WriteToken(TokenAuth):
    """A token with the write scope: records created and changed."""


read = ReadToken(ApiToken.Scope.READ)
submit = SubmitToken(ApiToken.Scope.SUBMIT)
write = WriteToken(ApiToken.Scope.WRITE)


def token_of(request: HttpRequest) -> ApiToken:
    return request.auth  # type: ignore[attr-defined,no-any-return]
