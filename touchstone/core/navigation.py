"""The workspace's navigation. Each capability adds its section here when it lands, so the menu shows only
what exists."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    label: str | Promise
    url_name: str
    permission: str | None = None  # None: every member of the agency sees it


WORKSPACE_SECTIONS: list[Section] = [
    Section(_("Overview"), "manage:agency-home"),
    Section(_("Offices"), "manage:offices"),
    Section(_("People"), "manage:people"),
    Section(_("Imports and exports"), "manage:imports", "import_data"),
    Section(_("API tokens"), "manage:tokens", "manage_tokens"),
    Section(_("Audit log"), "manage:audit", "view_audit"),
]
