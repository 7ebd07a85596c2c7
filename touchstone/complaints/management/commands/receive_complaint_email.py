"""Read RFC 822 email messages (files, or one on standard input, e.g. piped from the mail server) into an agency's
complaints: each becomes a new case or a reply threaded onto its case. Prints what was done; never the contents."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from touchstone.complaints import inbound
from touchstone.core.selectors import agencies_by_abbreviation


class Command(BaseCommand):
    help = "Receive complaint emails (RFC 822 files, or '-' for standard input) for one agency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="The agency's abbreviation, e.g. BA.")
        parser.add_argument(
            "messages", nargs="+", help="RFC 822 message files (.eml), or - for standard input."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            agency = agencies_by_abbreviation(options["agency"])
        except Http404 as error:
            raise CommandError(str(error)) from error
        failures = 0
        for name in options["messages"]:
            try:
                raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            except OSError as error:
                raise CommandError(f"{name}: {error.strerror}") from error
            try:
                received = inbound.receive(agency, raw)
            except inbound.UnreadableEmail as error:
                failures += 1
                self.stderr.write(f"{name}: {error}")
                continue
            self.stdout.write(f"{name}: {received.what} {received.case.tracking_number}")
            for refusal in received.refused:
                self.stdout.write(f"{name}: attachment left out: {refusal}")
        if failures:
            raise CommandError(f"{failures} message(s) could not be received.")
