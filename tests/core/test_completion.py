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


@pytest.mark.parametrize("eol", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings_split_like_unix(eol):
    text = eol.join(["# Analysis", "She feels alone.", "", "# Response", "I'm here.", "Tell me more."])
    p = split_completion(text)
    assert p.format_ok, p.problem
    assert (p.analysis, p.response) == ("She feels alone.", "I'm here.\nTell me more.")


def test_crlf_with_header_decorations():
    p = split_completion("**Analysis:**  \r\nA\r\n## Response \r\nB\r\n")
    assert (p.format_ok, p.analysis, p.response) == (True, "A", "B")


def test_header_search_is_linear_on_hostile_whitespace():
    # the old pattern backtracked cubically: 400 spaces took 26 s inside the server's event loop
    import time

    hostile = "# Analysis" + " " * 20000 + "x\n" + ("**Response" + " \t" * 5000 + "y\n") * 3
    started = time.perf_counter()
    parsed = split_completion(hostile)
    assert time.perf_counter() - started < 2.0  # linear: milliseconds; cubic: hours
    assert not parsed.format_ok


def test_indented_and_decorated_headers():
    text = "   **Analysis:**\nsad\n  ## response  \nI hear you."
    p = split_completion(text)
    assert p.format_ok and p.analysis == "sad" and p.response == "I hear you."
    assert not split_completion("    # Analysis\nx\n# Response\ny").format_ok  # 4 spaces: code
