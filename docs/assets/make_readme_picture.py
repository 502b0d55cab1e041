"""Draw the README's picture: the 2-2-2 network at the seeds' example, after one backward pass.

    .venv/bin/python docs/assets/make_readme_picture.py

writes docs/assets/net222.svg. The SVG carries, on its second line, a comment holding the
SHA-256 of the DOT source it was drawn from; tests/test_docs.py recomputes that source from the
library and fails when the picture is out of date (whatever Graphviz version drew it).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tinygrad_edu import SEED, Net222
from tinygrad_edu.viz import draw_network, render

PICTURE = Path(__file__).resolve().parent / "net222.svg"
MARK = "<!-- drawn from DOT source sha256:{} by docs/assets/make_readme_picture.py -->"


def source() -> str:
    """The picture's DOT source: the network figure of Net222 at SEED, gradients filled in."""
    net = Net222(SEED.w)
    net(i=SEED.i, t=SEED.t).backward()
    return str(draw_network(net).source)


def mark(dot: str) -> str:
    """The comment that ties the SVG to its DOT source."""
    return MARK.format(hashlib.sha256(dot.encode("utf-8")).hexdigest())


def main() -> None:
    """Draw the picture with Graphviz and stamp it with its source's hash."""
    net = Net222(SEED.w)
    net(i=SEED.i, t=SEED.t).backward()
    graph = draw_network(net)
    svg_path = render(graph, PICTURE.with_suffix(".tmp.svg"))
    svg = svg_path.read_text(encoding="utf-8")
    svg_path.unlink()
    # The mark goes after the XML declaration, which must stay the file's first line.
    head, _, rest = svg.partition("\n") if svg.startswith("<?xml") else ("", "", svg)
    stamped = (
        f"{head}\n{mark(str(graph.source))}\n{rest}"
        if head
        else f"{mark(str(graph.source))}\n{rest}"
    )
    PICTURE.write_text(stamped, encoding="utf-8")
    print(f"wrote {PICTURE}")


if __name__ == "__main__":
    main()
