"""The CSV estimate runner behind the `survey_estimate` command."""

import argparse
import json

import pytest

from touchstone.stats import EstimateInputError, add_estimate_arguments, run_estimate
from touchstone.stats.tests.api_data import api_path, assert_matches_r


def parse(*argv):
    return add_estimate_arguments(argparse.ArgumentParser()).parse_args(list(argv))


def cluster_options(*extra):
    return parse(str(api_path("apiclus1")), "--ids", "dnum", "--weights", "pw", "--fpc", "fpc", *extra)


def test_cluster_estimates_match_r_and_are_json_serialisable():
    result = run_estimate(cluster_options("--mean", "api00", "--total", "enroll", "--proportion", "sch.wide"))
    json.dumps(result, allow_nan=False)
    assert_matches_r(result["mean"]["api00"]["value"], "644.1693989")
    assert_matches_r(result["mean"]["api00"]["se"], "23.54224")
    assert_matches_r(result["total"]["enroll"]["se"], "932235.027")
    assert_matches_r(result["proportion"]["sch.wide"]["Yes"]["value"], "0.8743169399")
    assert_matches_r(result["proportion"]["sch.wide"]["Yes"]["se"], "0.02036")
    assert set(result["proportion"]["sch.wide"]) == {"No", "Yes"}
    assert result["design"]["df"] == 14


def test_stratified_design_from_column_names_matches_r():
    options = parse(
        str(api_path("apistrat")), "--strata", "stype", "--weights", "pw", "--fpc", "fpc", "--mean", "api00"
    )
    result = run_estimate(options)
    assert_matches_r(result["mean"]["api00"]["se"], "9.40894")


def test_post_stratification_option_matches_r():
    result = run_estimate(cluster_options("--mean", "api00", "--poststratify", "stype=E:4421,H:755,M:1018"))
    assert_matches_r(result["mean"]["api00"]["value"], "642.3107882")
    assert_matches_r(result["mean"]["api00"]["se"], "23.92049")


def test_two_stage_design_with_ids_and_fpc_per_stage():
    options = parse(
        str(api_path("apiclus2")), "--ids", "dnum", "snum", "--fpc", "fpc1", "fpc2", "--mean", "api00"
    )
    assert_matches_r(run_estimate(options)["mean"]["api00"]["se"], "30.099")


def test_repeated_ids_and_fpc_flags_keep_both_stages():
    # A second --ids used to replace the first, quietly turning the two-stage design into one stage.
    options = parse(
        str(api_path("apiclus2")),
        *("--ids", "dnum", "--ids", "snum", "--fpc", "fpc1", "--fpc", "fpc2", "--mean", "api00"),
    )
    assert options.ids == ["dnum", "snum"]
    assert options.fpc == ["fpc1", "fpc2"]
    assert_matches_r(run_estimate(options)["mean"]["api00"]["se"], "30.099")


def test_repeated_rake_options_and_jackknife_replicates():
    result = run_estimate(
        cluster_options(
            "--proportion",
            "stype",
            "--rake",
            "stype=E:4421,H:755,M:1018",
            "--rake",
            "sch.wide=No:1072,Yes:5122",
            "--replicates",
            "jk1",
        )
    )
    assert result["proportion"]["stype"]["H"]["value"] == pytest.approx(755 / 6194)
    assert result["design"]["replicates"] == "jk1"


def test_replicates_without_calibration_match_r_documentation():
    result = run_estimate(cluster_options("--mean", "api00", "--replicates", "jk1"))
    assert_matches_r(result["mean"]["api00"]["se"], "26.329")


def test_options_may_come_as_a_dict_as_django_passes_them():
    options = {
        "csv": str(api_path("apiclus1")),
        "ids": ["dnum"],
        "weights": "pw",
        "fpc": ["fpc"],
        "mean": ["api00"],
        "total": None,
        "proportion": None,
        "verbosity": 1,
        "level": 0.9,
    }
    result = run_estimate(options)
    assert result["level"] == 0.9
    assert_matches_r(result["mean"]["api00"]["se"], "23.54224")


def test_unknown_column_is_named_with_the_columns_there_are():
    with pytest.raises(
        EstimateInputError, match=r"column 'dnum2' \(for --ids\) is not in apiclus1.csv; columns are: cds"
    ):
        run_estimate(parse(str(api_path("apiclus1")), "--ids", "dnum2", "--mean", "api00"))


def test_text_column_asked_for_a_mean_says_which_line():
    with pytest.raises(
        EstimateInputError, match="column 'stype' \\(for --mean\\) must be numeric, but line 2"
    ):
        run_estimate(cluster_options("--mean", "stype"))


def test_malformed_margin_shows_an_example():
    with pytest.raises(EstimateInputError, match="e.g. --rake 'stype=E:4421,H:755,M:1018'"):
        run_estimate(cluster_options("--mean", "api00", "--rake", "stype E 4421"))


def test_margin_category_without_respondents_is_named():
    with pytest.raises(EstimateInputError, match="Margin 'stype': category 'K'"):
        run_estimate(cluster_options("--mean", "api00", "--poststratify", "stype=E:4421,H:755,M:1018,K:5"))


def test_fpc_per_stage_must_match_ids():
    with pytest.raises(EstimateInputError, match="give one per stage"):
        run_estimate(
            parse(str(api_path("apiclus2")), "--ids", "dnum", "snum", "--fpc", "fpc1", "--mean", "api00")
        )


def test_missing_file_is_named():
    with pytest.raises(EstimateInputError, match="was not found"):
        run_estimate(parse("/nonexistent/survey.csv", "--mean", "x"))


def test_an_estimate_must_be_requested():
    with pytest.raises(EstimateInputError, match="at least one estimate"):
        run_estimate(cluster_options())


def test_bootstrap_replicates_are_seeded():
    first = run_estimate(cluster_options("--mean", "api00", "--replicates", "bootstrap", "--seed", "3"))
    again = run_estimate(cluster_options("--mean", "api00", "--replicates", "bootstrap", "--seed", "3"))
    assert first == again


def test_jk1_on_a_stratified_design_says_to_use_jkn():
    options = parse(
        str(api_path("apistrat")),
        "--strata",
        "stype",
        "--weights",
        "pw",
        "--mean",
        "api00",
        "--replicates",
        "jk1",
    )
    with pytest.raises(EstimateInputError, match="use JKn"):
        run_estimate(options)
