"""Bridges to evaluation frameworks people already run. Each module imports its framework on
import, so `import perm` never does: `perm.ext.inspect` (inspect_ai scorer, dataset and task)
and `perm.ext.lmeval` (lm-evaluation-harness task and metric)."""
