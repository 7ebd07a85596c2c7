"""The catalog's charts: channel mix and digital take-up over time."""

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from touchstone.catalog.models import Service
from touchstone.catalog.selectors import ChannelMix
from touchstone.core.charts import Series, lines, stacked_bars


def channel_mix_chart(service: Service, mix: ChannelMix) -> SafeString | None:
    if not mix.rows:
        return None
    labels = [row.label for row in mix.rows]
    series = [Series(label, [row.volumes.get(code) for row in mix.rows]) for code, label in mix.channels]
    return stacked_bars(
        _("Volume by channel over time for %(name)s") % {"name": service.display_name}, labels, series
    )


def digital_take_up_chart(service: Service, mix: ChannelMix) -> SafeString | None:
    if not mix.rows:
        return None
    labels = [row.label for row in mix.rows]
    return lines(
        _("Digital take-up over time for %(name)s") % {"name": service.display_name},
        labels,
        [Series(_("Digital take-up"), [row.digital_share for row in mix.rows])],
        percent=True,
    )
