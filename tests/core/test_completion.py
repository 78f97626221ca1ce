import pytest

from perm.completion import split_completion

OK = [
    ("# Analysis\nA\n# Response\nB", "A", "B"),
    ("## Analysis\nA\n\n## Response\nB", "A", "B"),
    ("**Analysis**\nA\n**Response**\nB", "A", "B"),
    ("**Analysis:**\nA\n**Response:**\nB", "A", "B"),
    ("analysis:\nA\nresponse:\nB", "A", "B"),
    ("  #   ANALYSIS  \n\n  A  \n\n#Response\n\n B \n", "A", "B"),
    ("Some preamble\n# Analysis\nA\n# Response\nB", "A", "B"),
    # a later "# Response" inside the reply stays part of the reply
    ("# Analysis\nA\n# Response\nB\n# Response\nC", "A", "B\n# Response\nC"),
    # the word inside a sentence is not a header
    ("# Analysis\nMy analysis of the response: sad.\n# Response\nB", "My analysis of the response: sad.", "B"),
]


@pytest.mark.parametrize("text,analysis,response", OK)
def test_valid_formats(text, analysis, response):
    p = split_completion(text)
    assert p.format_ok, p.problem
    assert (p.analysis, p.response) == (analysis, response)


BAD = [
    ("", "empty output"),
    (None, "empty output"),
    ("Just a reply with no headers.", "missing # Response"),
    ("# Analysis\nonly thinking", "missing # Response"),
    ("# Response\nonly a reply", "missing # Analysis"),
    ("# Response\nB\n# Analysis\nA", "before # Analysis"),
    ("# Analysis\nA\n# Response\n   ", "empty # Response"),
    ("# Analysis\n\n# Response\nB", "empty # Analysis"),
    ("# Analisys\nA\n# Respnse\nB", "missing # Response"),
]


@pytest.mark.parametrize("text,problem", BAD)
def test_broken_formats_are_named(text, problem):
    p = split_completion(text)
    assert not p.format_ok
    assert problem in p.problem


def test_missing_analysis_keeps_the_response_text():
    p = split_completion("# Response\nHello there")
    assert p.response == "Hello there" and p.analysis == ""
