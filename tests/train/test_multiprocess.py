"""Two training processes (torchrun, gloo on CPU): each rank scores only its own shard of the
batch, against a real HTTP judge that counts every request."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from perm.testing.stub_server import StubConfig, StubServer

pytest.importorskip("trl", reason="training tests need the train extra")


DIMS = 4  # resonation, expression, reception, bystander: one judge request each
STEPS, RANKS, PER_DEVICE = 2, 2, 4


@pytest.mark.slow
def test_two_ranks_score_their_own_shards_once(tmp_path: Path, tiny_recipe: dict) -> None:
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent))
    if torchrun is None:
        pytest.skip("the torchrun launcher is not installed next to this Python")
    out = tmp_path / "ddp-run"
    with StubServer(StubConfig()) as stub:
        recipe = {**tiny_recipe, "output_dir": str(out), "save_steps": 100,
                  "grpo": {**tiny_recipe["grpo"], "max_steps": STEPS,
                           "per_device_train_batch_size": PER_DEVICE},
                  "scoring": {"judge": {"backend": "openai", "base_url": [stub.url],
                                        "model": "stub-judge", "max_retries": 0},
                              "on_format_error": "judge"}}
        path = tmp_path / "ddp.yaml"
        path.write_text(yaml.safe_dump(recipe), encoding="utf-8")
        env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": "",
               "TOKENIZERS_PARALLELISM": "false", "PERM_JUDGE_API_KEY": "unused-by-the-stub"}
        cmd = [torchrun, "--standalone", "--nproc_per_node", str(RANKS),
               "-m", "perm.train", "--config", str(path)]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        hits = stub.state.hits

    # every completion of every step judged exactly once per dimension, by one rank only:
    # a rank that scored the gathered batch (or the other rank's shard) would double this
    assert hits == STEPS * RANKS * PER_DEVICE * DIMS
    recs = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in recs if "reward" in r]
    assert [r["step"] for r in steps] == list(range(1, STEPS + 1))  # rank 0 logs, once per step
    # one data-parallel run: each step consumes one prompt per rank (two processes that each
    # trained alone on the same data would make the same number of judge calls, at half this)
    prompts_per_step = RANKS * PER_DEVICE // tiny_recipe["grpo"]["num_generations"]
    n_prompts = len(Path(tiny_recipe["data"]["train"][0]).read_text().splitlines())
    assert steps[-1]["epoch"] == pytest.approx(STEPS * prompts_per_step / n_prompts)
    assert all(r["perm/failure_rate"] == 0.0 for r in steps)
    info = json.loads((out / "run_info.json").read_text())
    assert info["global_step"] == STEPS
    assert (out / "final" / "adapter_config.json").is_file()
    log = proc.stdout + proc.stderr
    assert log.count("done: 2 steps") == 1  # the report comes from rank 0 only
    assert "Unclosed client session" not in log  # the judge's connections were closed
