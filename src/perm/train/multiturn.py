"""Multi-turn GRPO with TRL: a `rollout_func` that plays each prompt's episode with a simulated
seeker (`perm.env`), and reward functions that hand TRL the episode reward.

    from perm.train.multiturn import SeekerRollout, episode_reward_funcs
    rollout = SeekerRollout(env_config, train_samples)
    trainer = GRPOTrainer(model, reward_funcs=episode_reward_funcs(), rollout_func=rollout, ...)

TRL (1.x) calls `rollout(prompts, trainer)` with the process's prompts (each repeated for its
group) and expects token ids back. The rollout plays every episode of the batch
turn-synchronously: the trainer's own model writes each policy turn (batched `generate`), then
`SeekerEnv.step` scores all of them with PERM and lets every seeker answer at once. One
completion is the whole conversation after the prompt: the policy's turns (trained, mask 1)
and the seeker's turns rendered by the chat template (`env_mask` 0, never trained). The episode
reward's terms (turns, final, safety) come back as extra columns, which TRL passes to the reward
functions; their sum is the episode reward, and a missing reward is None for every term (TRL
then leaves the completion out of its group's baseline).
"""
from __future__ import annotations

import asyncio
import copy
import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..env import EnvConfig, Episode, SeekerEnv
from ..env.behaviour import check_behaviours
from ..env.chat import seeker_turn_ids
from ..errors import ConfigError, DataError, DataErrors, JudgeUnavailable
from ..policy import build_messages
from ..scoring import PermScorer
from ..shared_lines import SharedLineWindow
from ..signs import SIGNS
from ..types import Sample

#: The episode reward's terms, one TRL reward function each (their sum is the reward).
TERMS = ("turns", "final", "safety")
#: Extra columns the rollout returns (TRL hands them to the reward functions).
COLUMNS = ("episode_reward", "episode_turns", "episode_final", "episode_safety", "episode_end",
           "episode_played", "episode_feeling", "episode_signs", "episode_shared")
MIN_TURN_TOKENS = 8  # a policy turn with less room than this is not played: the episode ends


def prompt_key(prompt: Any) -> str:
    """A dataset prompt (chat messages or text) as a lookup key."""
    return json.dumps(prompt, sort_keys=True, ensure_ascii=False)


class SeekerRollout:
    """TRL `rollout_func`: plays every prompt's episode with the trainer's model and a seeker.

    `samples` are the training samples (the dataset's prompts must be `build_messages(sample)`,
    as `perm.train.dataset.to_dataset` writes them); `turn_tokens` caps each policy turn
    (default: max_completion_length / turns); after `max_failed_batches` batches in a row in
    which no episode got a reward, JudgeUnavailable stops the run (None: never).
    """

    def __init__(self, config: EnvConfig | Mapping[str, Any], samples: Sequence[Sample], *,
                 scorer: PermScorer | None = None, turn_tokens: int | None = None,
                 history_as_turns: bool = False, env: SeekerEnv | None = None,
                 max_failed_batches: int | None = 5) -> None:
        bad = check_behaviours(samples)
        if bad:  # found before the model loads, not half-way through training
            raise DataErrors(bad)
        self.env = env or SeekerEnv(config, scorer=scorer)
        self.turn_tokens = turn_tokens
        self.by_prompt = {prompt_key(build_messages(s, history_as_turns=history_as_turns)): s
                          for s in samples}
        self.episodes: list[Episode] = []  # the last batch (for logging and tests)
        self.batches = 0
        self.max_failed_batches = max_failed_batches
        self.failed_batches = 0  # consecutive batches in which no episode got a reward
        self.lines = SharedLineWindow()  # `perm/shared_lines`: lines said to many seekers lately
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The rollout's own event loop: the judges' and the seeker's connections live on it."""
        if self._loop is None or self._loop.is_closed():
            self._loop = asyncio.new_event_loop()
        return self._loop

    def check(self) -> None:
        """Fail fast (JudgeUnavailable) when the judge or the seeker cannot work at all."""
        self.loop.run_until_complete(self.env.check())

    def close(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.run_until_complete(self.env.aclose())
            self._loop.close()

    def sample_of(self, prompt: Any) -> Sample:
        sample = self.by_prompt.get(prompt_key(prompt))
        if sample is None:
            raise DataError("a prompt of the batch is not among the training samples the rollout "
                            "was given (build the dataset with perm.train.dataset.to_dataset from "
                            "the same samples)", path="<rollout batch>")
        return sample

    def __call__(self, prompts: Sequence[Any], trainer: Any) -> dict[str, Any]:
        """Play one episode per prompt; TRL's rollout contract (token ids, no sampling log-probs
        when the trainer's own model generates, `env_mask` and the episode columns)."""
        tok = trainer.processing_class
        tok = getattr(tok, "tokenizer", tok)
        eos = list(getattr(trainer, "eos_token_ids", None) or [tok.eos_token_id])
        limit = int(trainer.max_completion_length)
        per_turn = self.turn_tokens or max(MIN_TURN_TOKENS, limit // self.env.config.turns)
        samples = [self.sample_of(p) for p in prompts]
        episodes = [self.env.start(s, f"{s.id}#{k}") for k, s in enumerate(samples)]
        prompt_ids = [list(tok.apply_chat_template(p, tokenize=True, add_generation_prompt=True,
                                                   return_dict=False)) for p in prompts]
        completion: list[list[int]] = [[] for _ in prompts]
        mask: list[list[int]] = [[] for _ in prompts]
        live = list(range(len(prompts)))
        while live:
            budgets = [min(per_turn, limit - len(completion[i])) for i in live]
            gen = generate(trainer, [prompt_ids[i] + completion[i] for i in live], max(budgets), eos)
            texts: list[str | None] = []
            for i, ids, budget in zip(live, gen, budgets):
                ids = ids[:budget]
                completion[i] += ids
                mask[i] += [1] * len(ids)
                texts.append(tok.decode(ids, skip_special_tokens=True))
            self.loop.run_until_complete(self.env.step([episodes[i] for i in live], texts,
                                                       [len(ids[:b]) for ids, b in zip(gen, budgets)]))
            still = []
            for i in live:
                ep = episodes[i]
                if ep.done:
                    continue
                closed = bool(completion[i]) and completion[i][-1] in eos
                said = seeker_turn_ids(tok, ep.seeker_message(), eos, closed=closed)
                if len(completion[i]) + len(said) + MIN_TURN_TOKENS > limit:
                    self.env.finish(ep, "length")  # no room for another policy turn
                    continue
                completion[i] += said
                mask[i] += [0] * len(said)
                still.append(i)
            live = still
        self.episodes = episodes
        self.batches += 1
        self.check_failures(episodes)
        return {"prompt_ids": prompt_ids, "completion_ids": completion, "logprobs": None,
                "env_mask": mask, **episode_columns(episodes, self.lines)}


    def check_failures(self, episodes: Sequence[Episode]) -> None:
        """Count a batch without any episode reward; JudgeUnavailable at the limit, naming the
        most common reason, instead of training on nothing."""
        if episodes and all(ep.reward is None or ep.reward.reward is None for ep in episodes):
            self.failed_batches += 1
        else:
            self.failed_batches = 0
        limit = self.max_failed_batches
        if limit is None or self.failed_batches < limit:
            return
        reasons = Counter(m.split(": ", 1)[-1] for ep in episodes if ep.reward is not None
                          for m in ep.reward.missing)
        top = reasons.most_common(1)[0][0] if reasons else "no episode reward"
        raise JudgeUnavailable(f"no episode got a reward in {self.failed_batches} batches in a row "
                               f"(most common reason: {top}); check the judge and the seeker")


def generate(trainer: Any, contexts: Sequence[Sequence[int]], max_new_tokens: int,
             eos: Sequence[int]) -> list[list[int]]:
    """One batched, left-padded `generate` with the trainer's model and sampling settings; each
    result cut after its first end-of-turn token."""
    import torch
    from trl.models.utils import unwrap_model_for_generation

    tok = trainer.processing_class
    tok = getattr(tok, "tokenizer", tok)
    pad = tok.pad_token_id if tok.pad_token_id is not None else eos[0]
    width = max(len(c) for c in contexts)
    device = trainer.accelerator.device
    ids = torch.tensor([[pad] * (width - len(c)) + list(c) for c in contexts], device=device)
    attn = torch.tensor([[0] * (width - len(c)) + [1] * len(c) for c in contexts], device=device)
    config = copy.deepcopy(trainer.generation_config)
    config.max_new_tokens = max_new_tokens
    with unwrap_model_for_generation(trainer.model_wrapped, trainer.accelerator,
                                     gather_deepspeed3_params=trainer.args.ds3_gather_for_generation
                                     ) as model, torch.no_grad():
        out = model.generate(input_ids=ids, attention_mask=attn, generation_config=config)
    results = []
    stop = set(eos)
    for row in out[:, width:].tolist():
        end = next((k for k, t in enumerate(row) if t in stop), None)
        results.append(row if end is None else row[:end + 1])
    return results


def episode_columns(episodes: Sequence[Episode], lines: SharedLineWindow | None = None
                    ) -> dict[str, list[Any]]:
    """The per-completion episode columns (reward, its terms, how it ended, turns played, the
    seeker's last feeling, each shortcut sign's share of its turns and, with a window, the
    share of its turns holding a line said to many seekers) TRL forwards to the reward
    functions."""
    cols: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    for ep in episodes:
        r = ep.reward
        value = None if r is None else r.reward
        cols["episode_reward"].append(value)
        for term in TERMS:
            cols[f"episode_{term}"].append(None if r is None or value is None else r.terms[term])
        cols["episode_end"].append(ep.end)
        cols["episode_played"].append(len(ep.turns))
        last = ep.turns[-1].seeker if ep.turns else None
        cols["episode_feeling"].append(None if last is None else last.feeling)
        cols["episode_signs"].append(ep.sign_shares())
        cols["episode_shared"].append(math.nan if lines is None else ep.shared_line_share(lines))
    return cols


def episode_term(name: str, prompts: Sequence[Any], completions: Sequence[Any],
                 **kwargs: Any) -> list[float | None]:
    """One term of the episode reward per completion (None when the episode has no reward)."""
    values = kwargs.get(f"episode_{name}")
    if values is None:
        raise ConfigError("the episode reward needs the multi-turn rollout (rollout_func="
                          "SeekerRollout(...)): its columns are missing from the batch")
    if name == TERMS[0]:
        _log(kwargs)
    return [None if v is None else float(v) for v in values]


def _log(kwargs: Mapping[str, Any]) -> None:
    """Episode statistics into TRL's metrics (once per batch: with the first term)."""
    log_metric = kwargs.get("log_metric")
    if not callable(log_metric):
        return
    ends, played = kwargs.get("episode_end") or [], kwargs.get("episode_played") or []
    feelings = [f for f in kwargs.get("episode_feeling") or [] if f is not None]
    if played:
        log_metric("perm/episode_turns", sum(played) / len(played))
    if ends:
        for end in ("turns", "need_met", "left", "format", "length"):
            log_metric(f"perm/ended_{end}", sum(e == end for e in ends) / len(ends))
        rewards = kwargs.get("episode_reward") or []
        log_metric("perm/episode_missing", sum(r is None for r in rewards) / len(ends))
    if feelings:
        mean = sum(feelings) / len(feelings)
        if math.isfinite(mean):
            log_metric("perm/seeker_feeling", mean)
    shares = [s for s in kwargs.get("episode_signs") or [] if isinstance(s, Mapping)]
    for name in SIGNS:  # the mean over episodes of the share of their turns showing it
        seen = [float(s[name]) for s in shares if name in s and math.isfinite(float(s[name]))]
        if seen:
            log_metric(f"perm/sign_{name}", sum(seen) / len(seen))
    shared = [float(v) for v in kwargs.get("episode_shared") or []
              if isinstance(v, (int, float)) and math.isfinite(v)]
    if shared:  # the mean over episodes of the share of their turns holding a shared line
        log_metric("perm/shared_lines", sum(shared) / len(shared))


def episode_turns(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
    """Episode reward term: the discounted mean of the per-turn PERM rewards."""
    return episode_term("turns", prompts, completions, **kwargs)


def episode_final(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
    """Episode reward term: final_coef x the seeker's last report."""
    return episode_term("final", prompts, completions, **kwargs)


def episode_safety(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
    """Episode reward term: minus the safety penalty after a safety stop, else 0."""
    return episode_term("safety", prompts, completions, **kwargs)


def episode_reward_funcs() -> list[Callable[..., list[float | None]]]:
    """The episode reward as TRL reward functions, one per term (turns, final, safety; TRL
    logs each as `rewards/episode_<term>/mean`); with the default reward weights (1) their sum
    is the episode reward."""
    return [episode_turns, episode_final, episode_safety]
