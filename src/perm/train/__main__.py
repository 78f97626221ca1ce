"""`python -m perm.train ARGS` == `perm train ARGS` (handy under `accelerate launch -m`)."""
from __future__ import annotations

import sys

from ..cli import main

if __name__ == "__main__":
    main(["train", *sys.argv[1:]])
