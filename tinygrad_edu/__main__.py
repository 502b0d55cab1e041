"""``python -m tinygrad_edu`` and the ``tinygrad-edu`` command: the command line
(`tinygrad_edu.cli`) on the worked example, the 2-2-2 network (`tinygrad_edu.net222`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tinygrad_edu import cli
from tinygrad_edu.net222 import EXAMPLE


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tinygrad-edu`` on the 2-2-2 network; returns the exit code (2 for a usage error)."""
    return cli.main(argv, example=EXAMPLE)


if __name__ == "__main__":
    sys.exit(main())
