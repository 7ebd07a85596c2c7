"""The API reference as a plain server-rendered page, built from the same OpenAPI schema clients download.

The usual interactive explorer (Swagger UI) fails accessibility checks (contrast, nested controls, no landmarks),
so the reference every developer reads is this page; the schema itself stays at /api/v1/openapi.json.
"""

from collections import defaultdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from touchstone.api.api import api

SCOPES = {"ReadToken": "read", "SubmitToken": "submit", "WriteToken": "write"}


def _type_of(schema: dict[str, Any], components: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(_type_of(option, components) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type_of(schema.get('items', {}), components)}"
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    return str(schema.get("format") or schema.get("type") or "object")


def _fields(name: str, components: dict[str, Any]) -> list[dict[str, str]]:
    schema = components.get(name, {})
    required = set(schema.get("required", []))
    return [
        {
            "name": field,
            "type": _type_of(spec, components),
            "required": "yes" if field in required else "",
            "description": spec.get("description", ""),
        }
        for field, spec in schema.get("properties", {}).items()
    ]


def _schema_name(content: dict[str, Any]) -> str | None:
    for media in content.values():
        schema = media.get("schema", {})
        if "$ref" in schema:
            return str(schema["$ref"].rsplit("/", 1)[-1])
        if schema.get("type") == "array" and "$ref" in schema.get("items", {}):
            return str(schema["items"]["$ref"].rsplit("/", 1)[-1])
        for part in schema.get("properties", {}).values():
            if "$ref" in part:
                return str(part["$ref"].rsplit("/", 1)[-1])
    return None


def reference(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            body_schema = _schema_name(body)
            responses = []
            for status, response in operation.get("responses", {}).items():
                name = _schema_name(response.get("content", {}))
                responses.append(
                    {"status": status, "description": response.get("description", ""), "schema": name}
                )
            security = [next(iter(entry)) for entry in operation.get("security", [])]
            groups[(operation.get("tags") or ["Other"])[0]].append(
                {
                    "anchor": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "type": _type_of(p.get("schema", {}), components),
                            "required": "yes" if p.get("required") else "",
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": body_schema,
                    "body_fields": _fields(body_schema, components) if body_schema else [],
                    "body_kind": next(iter(body), ""),
                    "responses": responses,
                    "scope": ", ".join(SCOPES.get(name, name) for name in security) or "none",
                }
            )
    return render(
        request,
        "api/reference.html",
        {
            "info": schema["info"],
            "groups": sorted(groups.items()),
            "schemas": sorted((name, _fields(name, components)) for name in components),
        },
    )
