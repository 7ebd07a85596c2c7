"""Signals other capabilities listen to, so surveys need not know them."""

from django.dispatch import Signal

# Sent inside the transaction that closes or archives a survey, with `survey` and `actor`.
survey_closed = Signal()


def forget_public_surveys(**kwargs: object) -> None:
    """A saved survey or version may change what its public form shows: read it afresh (connected in apps.py)."""
    from touchstone.surveys.selectors import PUBLIC_MEMO, SUBMISSION_MEMO

    PUBLIC_MEMO.clear()
    SUBMISSION_MEMO.clear()
