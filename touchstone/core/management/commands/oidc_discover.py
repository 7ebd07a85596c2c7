"""manage.py oidc_discover ISSUER [--name NAME]: a provider's endpoints from its discovery document, checked, as the
environment lines to paste (docs/deploy.md, "Sign-in through identity providers")."""

import re
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from touchstone.core.oidc_discovery import DiscoveryError, fetch, read


class Command(BaseCommand):
    help = (
        "Read an OpenID Connect provider's /.well-known/openid-configuration and print the OIDC_* settings "
        "for it. Nothing is saved: paste the lines into the environment."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("issuer", help="the provider's issuer, e.g. https://secure.login.gov/")
        parser.add_argument(
            "--name",
            default="",
            help="its name in OIDC_PROVIDERS (e.g. treasury): lines read OIDC_TREASURY_...; without it, OIDC_...",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if name and (not re.fullmatch(r"[a-z][a-z0-9-]{0,39}", name) or name == "default"):
            raise CommandError(
                f"--name {name!r}: use lower-case letters, digits and hyphens (not 'default')."
            )
        prefix = f"OIDC_{name.upper().replace('-', '_')}_" if name else "OIDC_"
        try:
            discovered = read(options["issuer"], fetch(options["issuer"], settings.OIDC_TIMEOUT))
        except DiscoveryError as error:
            raise CommandError(str(error)) from None
        if name:
            self.stdout.write(f"# Add {name} to OIDC_PROVIDERS.")
        for line in discovered.lines(prefix):
            self.stdout.write(line)
