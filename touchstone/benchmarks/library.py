"""What ships in the library: the public facts of DOMAIN.md §6, each with its citation, and the Government of
Canada service standards results (ss_2024.csv) as a peer set by standard type and channel.

The public facts are written by a data migration (0002), so every installation has them; the peer set is read
from the open-data file by `load_canada_peer_set`, run by `load_demo` or `manage.py load_canada_benchmarks`.
"""

import csv
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

ACSI = {
    "organisation": "American Customer Satisfaction Index (ACSI)",
    "url": "https://theacsi.org/",
    "licence": "Published figure, quoted with citation",
}
ACSI_FEDERAL_POPULATION = "Users of U.S. federal government services (ACSI federal government aggregate)"

# (key, label, year, value on the 0-100 ACSI scale, sector, population, publication)
PUBLIC_FACTS: list[tuple[str, str, int, float, str, str, str]] = [
    *[
        (
            f"acsi-federal-{year}",
            f"ACSI federal government {year}",
            year,
            value,
            "federal",
            ACSI_FEDERAL_POPULATION,
            f"ACSI Federal Government Report {year}",
        )
        for year, value in [
            (2010, 65.4),
            (2011, 66.9),
            (2012, 68.4),
            (2013, 66.1),
            (2015, 63.9),
            (2016, 68.0),
            (2017, 69.7),
            (2020, 65.1),
            (2021, 63.4),
        ]
    ],
    (
        "acsi-national-2020-q3",
        "ACSI national (private sector) Q3 2020",
        2020,
        74.4,
        "private",
        "U.S. customers of private-sector companies (ACSI national score)",
        "ACSI National Quarterly Score, Q3 2020",
    ),
    (
        "acsi-information-2011",
        "ACSI Information sector 2011 (lowest private sector)",
        2011,
        72.3,
        "private",
        "U.S. customers of information-sector companies (lowest-scoring private sector in 2011)",
        "ACSI sector results 2011",
    ),
]


def public_fact_rows() -> list[dict[str, Any]]:
    """The shipped facts as plain dictionaries (the data migration writes them with its historical models)."""
    return [
        {
            "key": key,
            "label": label,
            "year": year,
            "value": value,
            "sector": sector,
            "population": population,
            "publication": publication,
            "measure": "satisfaction_index",
            "scale": "index_100",
            "origin": "public_fact",
            "service_kind": "" if sector == "private" else "Government services",
        }
        for key, label, year, value, sector, population, publication in PUBLIC_FACTS
    ]


CANADA_SOURCE = {
    "organisation": "Government of Canada, Treasury Board of Canada Secretariat",
    "publication": "Service standards and performance results, fiscal year 2023-2024 (ss_2024.csv)",
    "year": 2024,
    "url": "https://open.canada.ca/data/en/dataset/3ac0d080-6149-499a-8b06-7ce5f00ec56c",
    "licence": "Open Government Licence - Canada",
}


def canada_peer_groups(path: Path) -> list[dict[str, Any]]:
    """One peer benchmark per standard type and channel: the median performance of the Canadian standards of that
    type and channel (share of transactions within the standard), its standard error (1.2533 × sd ÷ √n, the
    large-sample standard error of a median), and how many standards it rests on. Groups of fewer than 5
    standards are left out: a median of so few is not a benchmark."""
    from touchstone.standards.importers import CANADA_CHANNELS, CANADA_TYPES

    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            kind_code = CANADA_TYPES.get((row.get("type") or "").strip().upper())
            channel_code = CANADA_CHANNELS.get((row.get("channel") or "").strip().upper())
            try:
                performance = float(row.get("performance") or "")
            except ValueError:
                continue
            if kind_code is None or channel_code is None or not 0 <= performance <= 1:
                continue
            groups[(str(kind_code), str(channel_code))].append(performance)
    out = []
    for (kind_name, channel_name), values in sorted(groups.items()):
        if len(values) < 5:
            continue
        kind, channel = kind_name, channel_name
        sd = statistics.stdev(values)
        out.append(
            {
                "key": f"canada-ss-2024-{kind}-{channel}".replace("_", "-"),
                "label": f"Government of Canada standards 2023-24: {kind}, {channel.replace('_', ' ')}",
                "standard_type": kind,
                "channel": channel,
                "value": statistics.median(values),
                "standard_error": 1.2533 * sd / len(values) ** 0.5,
                "sample_size": len(values),
                "population": (
                    f"Government of Canada service standards of type {kind} on channel {channel}, "
                    f"2023-24 ({len(values)} standards with a result)"
                ),
            }
        )
    return out
