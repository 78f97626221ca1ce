"""`perm compare`: the blinded pairwise judge over two aligned systems as one resumable run
(OUT/judgments.jsonl, one line per judgment, appended as they arrive) and its summary
(OUT/compare.json, which `perm report` reads)."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..calling import ChatCaller
from ..completion import split_completion
from ..config import JudgeConfig, ScoringConfig
from ..judges.cache import ResponseCache
from ..judges.registry import create_chat_model
from ..metrics import N_BOOT
from ..perspectives import RUBRIC_VERSION
from ..runs import ResumableRun, abandon, check_output_dir, drive, failure_problem, write_json
from ..runs.gate import FORMAT_WARN_RATE, judgment_tally
from ..runs.provenance import JUDGING_FLAGS, Stamp, digest, judge_stamp, judging_digest
from .pairwise import PairJob, judge_pairs, plan_pairs, summarise_judgments
from .systems import Aligned

JUDGMENTS_FILE = "judgments.jsonl"
COMPARE_FILE = "compare.json"


class PairJudge:
    """The pairwise judge: a chat model, its caller (retries, re-asks, cache) and one
    check and one teardown for both."""

    def __init__(self, config: JudgeConfig) -> None:
        self.config = config
        self.chat = create_chat_model(config)
        self.cache = ResponseCache(config.cache) if config.cache else None
        self.caller = ChatCaller(self.chat, config, rubric_version=RUBRIC_VERSION, cache=self.cache)

    @property
    def identity(self) -> str:
        return self.chat.identity

    async def check(self) -> None:
        """Fail fast (JudgeUnavailable) when the judge cannot work at all."""
        await self.chat.check()

    async def aclose(self) -> None:
        """Close the judge's connections and the response cache."""
        try:
            await self.chat.aclose()
        finally:
            if self.cache is not None:
                self.cache.close()


def compare_stamp(identity: str, config: JudgeConfig) -> Stamp:
    """Judge identity, rubric version and the hash of the judge's sampling settings."""
    return judge_stamp(identity, RUBRIC_VERSION, judging_digest(config), JUDGING_FLAGS)


def job_digest(job: PairJob) -> str:
    """Hash of what the judge is shown for one judgment (scenario, both replies, order)."""
    return digest(job.messages())


def judgment_failed(record: dict[str, Any]) -> bool:
    return record.get("winner") is None


class Comparison:
    """One `perm compare` run: outputs checked, judgments resumed, judged, summarised, gated."""

    def __init__(self, aligned: Aligned, out_dir: str | Path, config: ScoringConfig, *,
                 seed: int = 0, swap: bool = True, retry_failed: bool = False,
                 overwrite: bool = False) -> None:
        check_output_dir(out_dir, inputs=[s.path for s in aligned.systems],
                         files=[JUDGMENTS_FILE, COMPARE_FILE])
        self.aligned, self.out_dir, self.seed, self.swap = aligned, Path(out_dir), seed, swap
        self.judge = PairJudge(config.judge)
        self.jobs = plan_pairs(aligned, seed=seed, swap=swap)
        self.run = ResumableRun(self.out_dir / JUDGMENTS_FILE, self.jobs, lambda j: j.key,
                                stamp=compare_stamp(self.judge.identity, config.judge),
                                digest=job_digest, overwrite=overwrite,
                                redo=judgment_failed if retry_failed else None)
        try:
            self.report = self.run.resume()
        except BaseException:
            abandon(self.judge)
            raise
        self.records: list[dict[str, Any]] = []

    def execute(self, on_record: Callable[[dict[str, Any]], None] | None = None,
                on_start: Callable[[], None] | None = None) -> None:
        """Judge what is left, writing each judgment as it arrives (the judge is closed in any
        case); `on_start()` once the judge passed its check."""
        def write(rec: dict[str, Any]) -> None:
            line = self.run.write(rec["id"], rec)
            if on_record is not None:
                on_record(line)

        async def work() -> None:
            await judge_pairs(self.judge.caller, self.run.todo, self.judge.identity, write)

        asyncio.run(drive(self.judge, [self.run], work, on_start))

    def finish(self, *, n_boot: int = N_BOOT) -> tuple[dict[str, Any], Path]:
        """Rewrite the judgments in order, summarise them and write compare.json."""
        self.run.finish()
        self.records = self.run.records()
        a, b = self.aligned.systems[:2]
        summary = {"kind": "perm-compare", "version": 1, "a": a.name, "b": b.name,
                   "a_file": str(a.path), "b_file": str(b.path), "judge": self.judge.identity,
                   "rubric_version": RUBRIC_VERSION, "seed": self.seed, "swap": self.swap,
                   "pairs": len(self.aligned.ids), "judgments": len(self.records),
                   "calls": self.judge.caller.stats.as_dict(),
                   **summarise_judgments(self.records, n_boot=n_boot)}
        return summary, write_json(self.out_dir / COMPARE_FILE, summary)

    def format_note(self) -> str | None:
        """A note when most of a system's outputs miss the PERM format (the judge compares
        them as written, so nothing needs fixing; the numbers just mean something else)."""
        for s in self.aligned.systems:
            bad = sum(1 for i in self.aligned.ids if not split_completion(s.by_id[i].completion).format_ok)
            if bad / len(self.aligned.ids) > FORMAT_WARN_RATE:
                return (f"{bad} of {len(self.aligned.ids)} outputs of {s.name} lack the '# Analysis' / "
                        "'# Response' format; the pairwise judge compares them as written.")
        return None

    def problem(self, max_failure_rate: float) -> str | None:
        """Why the run counts as failed, or None."""
        return failure_problem(judgment_tally(self.records), max_failure_rate, "judgments")
