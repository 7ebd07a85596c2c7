"""The one chart module: attributes never localised, labels thinned so they never overlap, readable sizes."""

import re

from django.utils import translation

from touchstone.core import charts
from touchstone.standards import measurement

NUMERIC = re.compile(r' (cx|cy|x|y|x1|x2|y1|y2|width|height|r|font-size)="([^"]*)"')


def _attributes_are_plain_numbers(svg: str) -> None:
    for name, value in NUMERIC.findall(svg):
        assert value == "100%" or re.fullmatch(r"-?\d+(\.\d+)?", value), (
            f"{name}={value!r} is not a plain number"
        )
    for points in re.findall(r'points="([^"]*)"', svg):
        for pair in points.split():
            assert re.fullmatch(r"-?\d+(\.\d+)?,-?\d+(\.\d+)?", pair), pair


def test_spanish_never_puts_a_decimal_comma_in_a_coordinate() -> None:
    labels = [f"2025-{month:02}" for month in range(1, 13)] + [f"2026-{month:02}" for month in range(1, 13)]
    met = [930 + (i * 37) % 40 for i in range(24)]
    chart = measurement.control_chart(labels, met, [1000] * 24, 0.9)
    with translation.override("es"):
        svgs = [
            str(charts.control_chart(chart, "Gráfico", "c1")),
            str(charts.lines("Líneas", labels, [charts.Series("A", [v / 1000 for v in met])], percent=True)),
            str(charts.stacked_bars("Barras", labels, [charts.Series("A", [1234.5] * 24)])),
            str(charts.interval_bars("Intervalos", [charts.Interval("Confianza", 0.8, 0.7512, 0.8533)])),
        ]
    for svg in svgs:
        _attributes_are_plain_numbers(svg)
    assert "80\u00a0%" in svgs[3] and "100\u00a0%" in svgs[0]  # a non-breaking space


def test_two_years_of_months_get_few_enough_labels_not_to_overlap() -> None:
    labels = [f"2025-{month:02}" for month in range(1, 13)] + [f"2026-{month:02}" for month in range(1, 13)]
    svg = str(charts.lines("Trend", labels, [charts.Series("A", [0.5] * 24)], percent=True))
    shown = [label for label in labels if f">{label}</text>" in svg]
    assert 3 <= len(shown) <= 6
    positions = sorted(float(x) for x in re.findall(r'<text x="([\d.]+)"[^>]*>20\d\d-\d\d</text>', svg))
    width = len("2025-01") * charts.CHAR_WIDTH
    assert all(b - a > width for a, b in zip(positions, positions[1:], strict=False))


def test_every_label_is_drawn_at_the_readable_size() -> None:
    svg = str(charts.interval_bars("Bars", [charts.Interval("A rather long statement about trust", 0.5)]))
    assert set(re.findall(r'font-size="([^"]*)"', svg)) == {str(charts.FONT)}
    assert charts.FONT * 355 / charts.WIDTH >= 12  # a 390 px phone leaves about 355 px for a chart


def test_a_long_name_in_an_interval_chart_wraps_whole_and_pushes_the_next_bar_down() -> None:
    name = (
        "Apply for retirement benefits: Satisfied (top two answers) against the ACSI national private sector"
    )
    svg = str(
        charts.interval_bars("Bars", [charts.Interval(name, 0.63, 0.6, 0.66), charts.Interval("Short", 0.7)])
    )
    drawn = re.findall(r'<text x="8" y="([^"]*)"[^>]*>([^<]*)</text>', svg)
    assert " ".join(text for _y, text in drawn[:-1]) == name and "…" not in svg
    assert all(len(text) * charts.CHAR_WIDTH <= charts.WIDTH - 16 for _y, text in drawn)
    bars = [float(y) for y in re.findall(r'<rect x="8" y="([^"]*)"[^>]*fill="none"', svg)]
    last_line_of_the_long_name = max(float(y) for y, _text in drawn[:-1])
    assert bars[0] > last_line_of_the_long_name and float(drawn[-1][0]) > bars[0] + 14
