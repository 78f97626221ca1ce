"""Resumable runs: one home for the output files of `perm score`, `perm eval`, `perm compare`
and `perm generate` (output checks, resume with provenance, ordered rewrite, stdout
streaming, the failure gate)."""
from .files import (
    STDOUT,
    OutputError,
    ResultFileError,
    check_output_dir,
    check_output_file,
    read_finished,
    read_json_doc,
    rewrite_in_order,
    same_file,
    write_json,
)
from .gate import MAX_FAILURE_RATE, Tally, failure_problem, format_warning, is_failed_score
from .provenance import Stamp, judge_stamp, sample_digest, scoring_digest
from .run import ResumableRun, ResumeRefused, ResumeReport, Worker, abandon, drive

__all__ = [
    "MAX_FAILURE_RATE", "STDOUT", "OutputError", "ResultFileError", "ResumableRun", "ResumeRefused",
    "ResumeReport", "Stamp", "Tally", "Worker", "abandon", "check_output_dir", "check_output_file", "drive",
    "failure_problem", "format_warning", "is_failed_score", "judge_stamp", "read_finished",
    "read_json_doc", "rewrite_in_order", "same_file", "sample_digest", "scoring_digest",
    "write_json",
]
