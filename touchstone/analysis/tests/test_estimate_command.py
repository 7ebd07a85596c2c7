"""`manage.py survey_estimate` and the estimate API reproduce R's survey package on apiclus1 (DOMAIN.md §5)."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from touchstone.conftest import Personas, shared_file
from touchstone.core import services

SOURCE = "R's survey package `api` data (shared/data/survey-api)"


def apiclus1() -> Path:
    return shared_file("survey-api", "apiclus1.csv", source=SOURCE)


def run(*args: str) -> str:
    out = StringIO()
    call_command("survey_estimate", *args, stdout=out)
    return out.getvalue()


def test_the_command_reproduces_rs_cluster_sample_estimates() -> None:
    result = json.loads(
        run(
            str(apiclus1()),
            "--ids",
            "dnum",
            "--weights",
            "pw",
            "--fpc",
            "fpc",
            "--mean",
            "api00",
            "--total",
            "enroll",
            "--proportion",
            "sch.wide",
            "--json",
        )
    )
    mean, total = result["mean"]["api00"], result["total"]["enroll"]
    yes = result["proportion"]["sch.wide"]["Yes"]
    assert mean["value"] == pytest.approx(644.1693989, abs=1e-6)
    assert mean["se"] == pytest.approx(23.54224, abs=1e-5)
    assert total["value"] == pytest.approx(3404940.135, abs=1e-3)
    assert total["se"] == pytest.approx(932235.027, abs=1e-3)
    assert yes["value"] == pytest.approx(0.8743169399, abs=1e-9)
    assert yes["se"] == pytest.approx(0.02036, abs=1e-5)


def test_the_command_reproduces_rs_post_stratified_mean() -> None:
    result = json.loads(
        run(
            str(apiclus1()),
            "--ids",
            "dnum",
            "--weights",
            "pw",
            "--fpc",
            "fpc",
            "--mean",
            "api00",
            "--poststratify",
            "stype=E:4421,H:755,M:1018",
            "--json",
        )
    )
    assert result["mean"]["api00"]["value"] == pytest.approx(642.3107882, abs=1e-6)
    assert result["mean"]["api00"]["se"] == pytest.approx(23.92049, abs=1e-5)


def test_the_command_prints_a_readable_table_by_default() -> None:
    text = run(str(apiclus1()), "--ids", "dnum", "--weights", "pw", "--fpc", "fpc", "--mean", "api00")
    assert (
        "mean api00" in text
        and "644.1693989" in text
        and "23.5422" in text
        and "14 degrees of freedom" in text
    )


def test_a_missing_column_is_a_command_error_naming_it() -> None:
    with pytest.raises(CommandError, match="column 'nope'"):
        run(str(apiclus1()), "--ids", "dnum", "--weights", "pw", "--mean", "nope")


def read_token(personas: Personas) -> dict[str, str]:
    _token, secret = services.create_api_token(
        actor=personas.admin_a, agency=personas.agency_a, name="analyst", scopes=["read"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_api_returns_the_same_estimates_as_the_command(personas: Personas) -> None:
    path = apiclus1()
    with path.open("rb") as handle:
        response = Client().post(
            "/api/v1/analysis/estimate",
            {
                "file": handle,
                "ids": "dnum",
                "weights": "pw",
                "fpc": "fpc",
                "mean": "api00",
                "total": "enroll",
                "proportion": "sch.wide",
                "rake": ["stype=E:4421,H:755,M:1018"],
            },
            **read_token(personas),
        )
    assert response.status_code == 200, response.content
    expected = json.loads(
        run(
            str(path),
            "--ids",
            "dnum",
            "--weights",
            "pw",
            "--fpc",
            "fpc",
            "--mean",
            "api00",
            "--total",
            "enroll",
            "--proportion",
            "sch.wide",
            "--rake",
            "stype=E:4421,H:755,M:1018",
            "--json",
        )
    )
    assert response.json() == expected


def test_the_api_names_the_column_it_cannot_find(personas: Personas) -> None:
    with apiclus1().open("rb") as handle:
        response = Client().post(
            "/api/v1/analysis/estimate", {"file": handle, "mean": "nope"}, **read_token(personas)
        )
    assert response.status_code == 400
    assert "column 'nope'" in response.json()["detail"]


def test_the_estimate_api_needs_a_token(personas: Personas) -> None:
    with apiclus1().open("rb") as handle:
        assert Client().post("/api/v1/analysis/estimate", {"file": handle}).status_code == 401


def test_the_command_takes_one_ids_and_fpc_flag_per_stage() -> None:
    apiclus2 = shared_file("survey-api", "apiclus2.csv", source=SOURCE)
    common = ("--mean", "api00", "--json")
    repeated = run(str(apiclus2), "--ids", "dnum", "--ids", "snum", "--fpc", "fpc1", "--fpc", "fpc2", *common)
    listed = run(str(apiclus2), "--ids", "dnum", "snum", "--fpc", "fpc1", "fpc2", *common)
    # svydesign(id=~dnum+snum, fpc=~fpc1+fpc2, data=apiclus2); svymean(~api00): SE 30.099
    assert json.loads(repeated)["mean"]["api00"]["se"] == pytest.approx(30.099, abs=1e-3)
    assert json.loads(repeated) == json.loads(listed)
