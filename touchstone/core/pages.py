"""Shared shapes of workspace pages: render with the agency's menu, and the add/edit form page."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from touchstone.core.navigation import sections_for


def render_workspace(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """Render a workspace page with the agency, the person's membership and the menu their role allows."""
    sections = sections_for(getattr(request, "membership", None))
    base = {"agency": getattr(request, "agency", None), "sections": sections}
    return render(request, template, {**base, **(context or {})}, status=status)


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    title: str,
    success: str | Callable[[Any], str],
    then: str | Callable[[Any], str],
    context: dict[str, Any] | None = None,
    template: str = "manage/form_page.html",
) -> HttpResponse:
    """Show the form; on a valid POST call `save`, report success and go on. A ValidationError raised by the
    service (a rule the form cannot know) is shown on the form like any other error."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, success(saved) if callable(success) else success)
            return redirect(then(saved) if callable(then) else then)
    return render_workspace(request, template, {"form": form, "title": title, **(context or {})})
