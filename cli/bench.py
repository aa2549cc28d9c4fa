"""`concord bench`: run benchmarks, print figures with their baselines and ratios."""

from bench.runner import main as bench

COMMANDS = [bench]
