"""An interval never runs past the ends of the scale it measures."""

from touchstone.analysis.computation import Estimator, ResponseFrame, question_result


def frame_of(answers: list[dict]) -> ResponseFrame:
    n = len(answers)
    return ResponseFrame(
        answers=answers,
        quarter=["FY2026 Q1"] * n,
        variables={},
        weight=[None] * n,
        stratum=[""] * n,
        cluster=[""] * n,
        population_size=[None] * n,
    )


def test_the_mean_of_two_answers_on_a_five_point_scale_stays_between_one_and_five() -> None:
    question = {
        "key": "satisfaction",
        "kind": "likert5",
        "text": "How satisfied?",
        "measures": "satisfaction",
    }
    result = question_result(
        question, frame_of([{"satisfaction": 2}, {"satisfaction": 5}]), Estimator(None, 1)
    )
    mean = result["mean"]
    assert mean["value"] == 3.5
    assert mean["ci_low"] == 1 and mean["ci_high"] == 5


def test_an_interval_inside_the_scale_is_left_alone() -> None:
    answers = [{"q": v} for v in [3, 4, 4, 4, 5, 3, 4, 4, 5, 4] * 5]
    mean = question_result({"key": "q", "kind": "likert5"}, frame_of(answers), Estimator(None, 1))["mean"]
    assert 1 < mean["ci_low"] < mean["value"] < mean["ci_high"] < 5
