"""Evaluation instruments: generate a policy's outputs (`generate`), score and compare systems
with PERM (`evaluation`, `summaries`; the statistics live in `perm.metrics`), a blinded
pairwise judge (`pairwise`), a human preference study (`human`), the EQ-Bench3 bridge
(`eqbench`) and the HTML report (`report`, `charts`).

Nothing heavy is imported here: each command imports the module it needs.
"""
