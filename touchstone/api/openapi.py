"""The error answers every operation can give, written into the OpenAPI schema so that clients (and the schema
checks in the tests) know them: each is a problem document (RFC 9457), as `touchstone.api.errors` writes them."""

from typing import Any

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "required": ["title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

ERROR_ANSWERS = {
    "400": "Bad request: a value the server cannot use (a text with a NUL character, a file it cannot read).",
    "401": "No token, or one that is unknown, expired or revoked.",
    "403": "The token lacks the scope this operation needs.",
    "404": "Nothing with this identifier in the token's agency.",
    "409": "The change conflicts with what is already recorded.",
    "413": "The file is larger than IMPORT_MAX_BYTES.",
    "422": "A field is missing or invalid; `errors` names each.",
    "503": "The database is briefly unavailable; nothing was saved. Retry after the seconds in Retry-After.",
}
WRITES = {"post", "put", "patch", "delete"}


def answers_for(method: str, operation: dict[str, Any]) -> list[str]:
    codes = ["400", "404", "422", "503"]
    if operation.get("security"):
        codes += ["401", "403"]
    if method in WRITES:
        codes.append("409")
    body = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in body:
        codes.append("413")
    return sorted(codes)


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in answers_for(method, operation):
                answer: dict[str, Any] = {"description": ERROR_ANSWERS[code], "content": problem}
                if code == "503":
                    answer["headers"] = {
                        "Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}
                    }
                operation["responses"].setdefault(code, answer)
    return schema
