"""`python -m sample_data generate --out DIR [--customers N] [--seed S] [--as-of ISO]` without a Concord instance."""

from __future__ import annotations

import argparse
import sys

from core.errors import ConcordError
from sample_data.generator import MAX_CUSTOMERS, as_of_from_text, generate


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, generate, print where the sample went."""
    parser = argparse.ArgumentParser(prog="python -m sample_data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="generate the sample company")
    gen.add_argument("--out", required=True, help="folder to write")
    gen.add_argument("--customers", type=int, default=100_000, help=f"people, 1 to {MAX_CUSTOMERS:,}")
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--as-of", dest="as_of", default=None, help="reference instant, ISO 8601 (default: now)")
    args = parser.parse_args(argv)
    try:
        when = as_of_from_text(args.as_of) if args.as_of else None
        manifest = generate(args.out, customers=args.customers, seed=args.seed, as_of=when)
    except ConcordError as exc:
        parser.error(f"{exc.message} ({exc.field})")
    print(
        f"{manifest.cases['source_records']:,} source records for {manifest.customers:,} people in {manifest.root}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
