"""Open the report in headless Chromium: the page renders, every chart image decodes, and the
screenshot is not blank."""
import os
import shutil
import subprocess

import numpy as np
import pytest
from tests.evaluate.helpers import run_cli

pytestmark = pytest.mark.browser
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
# Added to a copy of the page only: records whether every <img> decoded, for --dump-dom.
PROBE = """<script>window.addEventListener("load", () => {
  const imgs = [...document.querySelectorAll("img.chart")];
  document.body.dataset.charts = imgs.length;
  document.body.dataset.decoded = imgs.filter(i => i.complete && i.naturalWidth > 100).length;
});</script></body>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless chromium is not installed (scripts/setup.sh installs Debian's chromium)")


def _run(browser, profile, *args, timeout=120):
    cmd = [browser, *FLAGS, f"--user-data-dir={profile}", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "HOME": str(profile)})


def test_report_renders_in_headless_chromium(results, tmp_path):
    browser = _chromium()
    out = tmp_path / "rep"
    run_cli("report", results["eval"], "-o", out, "--compare", results["compare"],
            "--human", results["human"], "--train", results["run"])
    page = (out / "report.html").read_text()
    probe = out / "probe.html"
    probe.write_text(page.replace("</body>", PROBE, 1))

    dom = _run(browser, tmp_path / "profile-dom", "--virtual-time-budget=5000", "--dump-dom",
               probe.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'data-charts="6"' in html and 'data-decoded="6"' in html, html[:500]
    for chart in ("distributions", "radar", "reward_length", "winrates", "training"):
        assert f'data-chart="{chart}"' in html
    assert html.count('data-chart="radar"') == 2  # one per system
    # issue 13.10: both judges here are stand-ins; the headline comes from the (one) human
    # rater, whose 8 answers are far from significant
    head = html.split('class="headline"')[1].split("</div>")[0]
    assert "No significant difference between tuned and base" in head and "beats" not in head
    assert "by human raters (1)" in head
    assert html.count('class="reply"') == 6  # 3 example scenarios x 2 systems, side by side
    assert "<code>on_format_error</code>" in html

    shot = tmp_path / "shot.png"
    res = _run(browser, tmp_path / "profile-shot", "--window-size=1280,2400",
               f"--screenshot={shot}", (out / "report.html").as_uri())
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    from PIL import Image

    img = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    assert img.shape[:2] == (2400, 1280)
    assert img.std() > 20  # not a blank page
    colours = len(np.unique(img.reshape(-1, 3)[::7], axis=0))
    assert colours > 500  # charts, text and the header gradient, not a flat fill
    # the header band is the report's indigo gradient (blue channel well above red)
    hero = img[20:200, 20:1260]
    assert hero[..., 2].mean() > hero[..., 0].mean() + 40


# Test-only: capture the CSV the form would download (instead of saving a file), after a
# simulated rater fills in a name and answers every pair with "Response 2 is better".
RATER = """<script>
window.Blob = class extends Blob {
  constructor(parts, opts) { super(parts, opts); document.documentElement.dataset.csv = parts.join(""); }
};
HTMLAnchorElement.prototype.click = function () {};
window.addEventListener("load", () => {
  const name = document.getElementById("rater");
  name.value = "tester"; name.dispatchEvent(new Event("input"));
  document.querySelectorAll('input[type=radio][value="2"]').forEach(r => r.click());
  document.getElementById("download").click();
});
</script></head>"""


def test_human_form_renders_and_its_answers_import(two_systems, tmp_path):
    import html as html_lib
    import json
    import re

    browser = _chromium()
    base, tuned = two_systems
    study = tmp_path / "study"
    run_cli("human", "export", base, tuned, "-o", study, "--pairs", "5")
    form = study / "form.html"
    dom = _run(browser, tmp_path / "profile", "--virtual-time-budget=3000", "--dump-dom", form.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = dom.stdout
    assert page.count('class="pair') == 5 and "0 / 5 answered" in page
    assert page.count('type="radio"') == 15  # 1 better / about the same / 2 better, per pair

    rater = study / "rater.html"
    rater.write_text(form.read_text().replace("</head>", RATER, 1))
    dom = _run(browser, tmp_path / "profile-2", "--virtual-time-budget=3000", "--dump-dom",
               rater.as_uri())
    assert "5 / 5 answered" in dom.stdout
    csv_text = html_lib.unescape(re.search(r'data-csv="([^"]*)"', dom.stdout).group(1))
    answers = tmp_path / "answers.csv"
    answers.write_text(csv_text)
    run_cli("human", "import", study / "key.json", answers)
    result = json.loads((study / "human.json").read_text())
    key = json.loads((study / "key.json").read_text())
    b_second = sum(e["first"] == "A" for e in key["pairs"].values())  # "2" picks B there
    assert result["raters"] == {"tester": 5}
    assert result["wins"] == b_second and result["losses"] == 5 - b_second
    assert result["position"]["first_rate"] == 0.0


def test_the_conversations_view_renders(tmp_path):
    """Issue 15.4: reward and seeker state over turns, one transcript side by side."""
    browser = _chromium()
    scen = tmp_path / "s.jsonl"
    scen.write_text("".join(
        f'{{"id": "s{i}", "persona": "P{i}", "scenario": "S", "query": "Q{i}"}}\n' for i in range(4)))
    for name in ("base", "tuned"):
        run_cli("simulate", f"fake:{name}", "--scenarios", scen, "--turns", "3", "--seeker", "fake",
                "--judge", "fake", "-o", tmp_path / f"{name}.jsonl")
    out = tmp_path / "rep"
    run_cli("report", "--simulate", tmp_path / "base.jsonl", "--simulate", tmp_path / "tuned.jsonl",
            "-o", out)
    probe = out / "probe.html"
    probe.write_text((out / "report.html").read_text().replace("</body>", PROBE, 1))
    dom = _run(browser, tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", probe.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'data-charts="1"' in html and 'data-decoded="1"' in html and 'data-chart="turns"' in html
    assert html.count("reply convo") == 2 and "stand-in" in html
    assert "<h3>Shortcut signs</h3>" in html and "policy turns</th>" in html  # per-turn signs
    assert html.count("class=\"turn\"") >= 2
