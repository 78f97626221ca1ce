"""Adapters that put PERM rewards into RL engines (verl, OpenRLHF) and the reward server.

`common` holds the pure pieces they share (label decoding, response recovery, flat reward
fields) and the background-loop runner that lets synchronous engine callbacks, from any
thread, score through one `PermScorer`. Engine-specific entry points live in `verl` and
`openrlhf`; both files can also be loaded by path, as the engines do.
"""
