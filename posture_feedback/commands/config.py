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


def check_model(options: object) -> None:
    """The configured model must be one that can be used: a variant name (``lite``, ``full``,
    ``heavy``; a missing one is downloaded on first use) or a .task file (a ninth audit saw
    `model = "bogus"` pass the check, then fail in analyze as "model file not found")."""
    from posture_feedback.models import VARIANTS, check_model_file

    model = str(getattr(getattr(options, "pose", None), "model", "full"))
    if model not in VARIANTS:
        check_model_file(model)


def run(args: argparse.Namespace) -> int:
    from posture_feedback.config import default_config_text, load_config

    if args.check:
        options = load_config(args.check)
        check_model(options)
        print(f"{args.check}: OK")
        return 0
    print(default_config_text(), end="")
    return 0
