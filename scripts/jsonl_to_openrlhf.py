#!/usr/bin/env python
"""Kept for old commands: the same as `perm convert openrlhf INPUTS... -o OUT.jsonl`."""
import sys

from perm.cli import main

if __name__ == "__main__":
    main(["convert", "openrlhf", *sys.argv[1:]])
