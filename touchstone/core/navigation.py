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
    order: int = 50  # capabilities 10-60 in the order of the loop; agency administration 80 and after


WORKSPACE_SECTIONS: list[Section] = [
    Section(_("Overview"), "manage:agency-home", order=0),
    Section(_("Offices"), "manage:offices", order=80),
    Section(_("People"), "manage:people", order=81),
    Section(_("Imports and exports"), "manage:imports", "import_data", order=85),
    Section(_("API tokens"), "manage:tokens", "manage_tokens", order=86),
    Section(_("Audit log"), "manage:audit", "view_audit", order=87),
]


def sections_for(membership: object) -> list[Section]:
    """The menu a member sees, in order: only what their role may open."""
    can = getattr(membership, "can", None)
    if can is None:
        return []
    return sorted(
        (s for s in WORKSPACE_SECTIONS if s.permission is None or can(s.permission)), key=lambda s: s.order
    )
