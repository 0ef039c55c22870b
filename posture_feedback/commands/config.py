"""``posture-feedback config``: print the documented default configuration (every parameter)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "config",
        help="print (or check) the documented default configuration",
        description="Print every pipeline parameter with its unit, documentation and default, as TOML.",
    )
    p.add_argument("--check", type=Path, metavar="FILE", help="validate a configuration file instead")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from posture_feedback.config import default_config_text, load_config

    if args.check:
        load_config(args.check)
        print(f"{args.check}: OK")
        return 0
    print(default_config_text(), end="")
    return 0
