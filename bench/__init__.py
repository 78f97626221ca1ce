"""Benchmarks of perm-reward: speed, cost and resilience (see BENCHMARKS.md). Run `python -m bench.run --quick|--full`."""
