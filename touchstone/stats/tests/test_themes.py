"""Themes of free-text comments."""

from touchstone.stats import find_themes

COMMENTS = [
    "waited on hold for an hour before anyone answered the phone",
    "hold time on the phone line was far too long",
    "phone wait was long, on hold forever",
    "long hold times when calling the phone line",
    "could not log in to the website, password reset broken",
    "website login kept failing after password reset",
    "password reset email never arrived so I could not log in to the website",
    "the website login page rejects my password",
]


def test_no_comments_give_no_themes():
    assert find_themes([]) == []


def test_blank_or_stop_word_comments_give_no_themes():
    assert find_themes(["", "   ", None]) == []
    assert find_themes(["the and of", "it is"]) == []


def test_a_single_comment_is_one_theme():
    [theme] = find_themes(["Staff at the counter were very helpful"])
    assert theme.share == 1.0
    assert theme.examples == (0,)
    assert theme.label


def test_distinct_topics_become_separate_labelled_themes():
    themes = find_themes(COMMENTS, seed=1)
    assert len(themes) == 2
    labels = " ".join(theme.label for theme in themes)
    assert "phone" in labels or "hold" in labels
    assert "password" in labels or "website" in labels or "login" in labels
    assert sum(theme.share for theme in themes) == 1.0
    for theme in themes:
        assert 1 <= len(theme.examples) <= 3


def test_themes_are_deterministic_for_a_seed():
    assert find_themes(COMMENTS, seed=5) == find_themes(COMMENTS, seed=5)


def test_example_indices_point_into_the_original_list_despite_blanks():
    themes = find_themes(["", *COMMENTS[:2], None, *COMMENTS[4:6]])
    indices = {i for theme in themes for i in theme.examples}
    assert indices <= {1, 2, 4, 5}
