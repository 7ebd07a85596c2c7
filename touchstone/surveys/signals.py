"""Signals other capabilities listen to, so surveys need not know them."""

from django.dispatch import Signal

# Sent inside the transaction that closes or archives a survey, with `survey` and `actor`.
survey_closed = Signal()
