#!/usr/bin/env python
"""Kept for old commands: the same as `perm convert verl INPUTS... -o OUT.parquet`."""
import sys

from perm.cli import main

if __name__ == "__main__":
    main(["convert", "verl", *sys.argv[1:]])
