"""The demo catalog: realistic services of the Benefits Administration with segments, channels and volumes."""

from touchstone.core.models import Agency


def load_catalog_demo(agency: Agency) -> None:
    """Filled in below once the catalog's pages exist."""
