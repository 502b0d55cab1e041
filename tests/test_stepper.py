"""The step-by-step page: its data in Python, then the page itself in a real browser.

The Python tests read what `stepper` puts on the page: every gradient is the engine's, the
backward phase has one step per edge, every local derivative formula is the catalogue's. The
browser tests open the generated page in headless Chromium, driven by Selenium with the system's
chromedriver (nothing is downloaded): no console errors, stepping to the end shows every node's
gradient as the engine computed it (read from the DOM), the keyboard drives it, and a screenshot
in the middle of the backward pass is a picture, not a blank. They skip without Chromium,
chromedriver or Selenium, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tinygrad_edu import MLP, SEED, Net222, Tensor, Value, stepper, topological_order
from tinygrad_edu.explain import formula_labeller
from tinygrad_edu.stepper import MAX_STEPS, Stepper

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# The flags under which Chromium runs headless as root on a machine without a network.
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,900",
)  # fmt: skip


@pytest.fixture
def dot() -> None:
    """Skip without Graphviz's dot, unless on CI, where the page must be tested."""
    if shutil.which("dot") is None:
        message = "Graphviz's dot is not installed (sudo apt-get install graphviz)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must install it to test the page")
        pytest.skip(message)


def net222() -> tuple[Net222, Value]:
    """The 2-2-2 network at the seeds' example, after backward."""
    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    return net, E_total


def net231() -> tuple[MLP, Value]:
    """A 2-3-1 net of our own: tanh then sigmoid, one example, half its squared error."""
    net = MLP(2, [3, 1], activation=["tanh", "sigmoid"], seed=3)
    [y] = net([0.6, -1.2])
    L = 0.5 * (y - 1.0) ** 2
    L.label = "L"
    L.backward()
    return net, L


def edges(root: Any) -> int:
    return sum(len(n.parents) for n in topological_order(root))


def page_data(page: Stepper) -> dict[str, Any]:
    """The JSON the page's script reads."""
    match = re.search(
        r'<script type="application/json" id="stepper-data">(.*?)</script>', page.html
    )
    assert match is not None
    return dict(json.loads(match.group(1)))


# --- the page's data -----------------------------------------------------------------------------


@pytest.mark.parametrize("build", [net222, net231])
def test_every_gradient_on_the_page_is_the_engines(build: Any) -> None:
    net, root = build()
    page = stepper(root, model=net)
    order = topological_order(root)
    assert [n.grad_value for n in page.nodes] == [n.grad for n in order]
    # The last contribution into each node leaves exactly its .grad, bit for bit.
    last = {s.parent: s for s in page.backward}
    for k, node in enumerate(order[:-1]):
        assert last[k].count == last[k].uses == page.nodes[k].uses
        assert last[k].total == node.grad


@pytest.mark.parametrize("build", [net222, net231])
def test_the_backward_phase_has_one_step_per_edge(build: Any) -> None:
    _, root = build()
    page = stepper(root)
    order = topological_order(root)
    assert len(page.backward) == edges(root)
    assert len(page.forward) == sum(1 for n in order if n.parents)  # one per operation
    # In backward()'s order: reverse topological, each node's operands in order.
    expected = [(k, j) for k in reversed(range(len(order))) for j in range(len(order[k].parents))]
    assert [(s.child, s.operand) for s in page.backward] == expected


def test_local_derivatives_are_the_catalogues_formulas_and_the_engines_numbers() -> None:
    _, E_total = net222()
    page = stepper(E_total)
    order = topological_order(E_total)
    formula = formula_labeller(E_total)
    for s in page.backward:
        child = order[s.child]
        assert s.formula == formula(child, s.operand)
        assert s.local == child.local_grads()[s.operand]
        assert s.contribution == s.local * child.grad
    sigmoid = [s.formula for s in page.backward if s.child_name == "a_o1"]
    assert sigmoid == ["a_o1·(1 − a_o1)"]


def test_a_h1_receives_one_contribution_per_path_and_their_sum() -> None:
    net, E_total = net222()
    page = stepper(E_total, highlight="w1", model=net)
    first, second = [s for s in page.backward if s.parent_name == "a_h1"]
    assert first.text == (
        "∂E_total/∂a_h1 += ∂E_total/∂(w5·a_h1) · ∂(w5·a_h1)/∂a_h1 = 0.1424 × 0.4 = 0.05694"
    )
    assert second.text == (
        "∂E_total/∂a_h1 += ∂E_total/∂(w7·a_h1) · ∂(w7·a_h1)/∂a_h1 = (−0.08376) × 0.5 = −0.04188"
    )
    assert (first.count, second.count, second.uses) == (1, 2, 2)
    assert second.total == net.nodes["a_h1"].grad == first.contribution + second.contribution
    assert page.focus == [topological_order(E_total).index(net.weights[0])]


def test_the_forward_phase_writes_each_operation_with_its_numbers() -> None:
    _, E_total = net222()
    texts = [s.text for s in stepper(E_total).forward]
    assert texts[:4] == [
        "w1·i1 = 0.15 × 0.05 = 0.0075",
        "w2·i2 = 0.2 × 0.1 = 0.02",
        "h1 = w1·i1 + w2·i2 = 0.0075 + 0.02 = 0.0275",
        "a_h1 = σ(h1) = σ(0.0275) = 0.5069",
    ]
    assert "E_total = E1 + E2 = 0.1779 + 0.06463 = 0.2425" in texts


def test_a_node_used_twice_sums_both_edges() -> None:
    x = Value(3.0, "x")
    y = x * x
    y.label = "y"
    y.backward()
    page = stepper(y)
    assert [(s.parent_name, s.total) for s in page.backward] == [("x", 3.0), ("x", 6.0)]
    assert page.nodes[0].uses == 2


def test_tensor_graphs_show_shapes_and_step_every_edge() -> None:
    W = Tensor([[0.1, -0.2], [0.3, 0.4], [0.5, -0.6]], requires_grad=True, label="W")
    x = Tensor([1.0, 2.0], label="x")
    h = (W @ x).sigmoid()
    h.label = "h"
    loss = (h * h).sum()
    loss.label = "loss"
    loss.backward()
    page = stepper(loss)
    assert len(page.backward) == edges(loss)
    assert page.forward[0].text == "W @ x: (3,) [−0.3, 1.1, −0.7]"
    [into_W] = [s for s in page.backward if s.parent_name == "W"]
    assert "(3, 2)" in into_W.text and into_W.formula == "∂E/∂A = ∂E/∂C · Bᵀ"
    [into_x] = [s for s in page.backward if s.parent_name == "x"]
    assert "nothing flows: x needs no gradient" in into_x.text


def test_the_page_needs_gradients_from_one_backward_pass() -> None:
    x = Value(2.0, "x")
    y = x * x
    with pytest.raises(ValueError, match=r"call root.backward\(\) first"):
        stepper(y)
    y.backward()
    y.backward()  # x.grad now holds two passes
    with pytest.raises(ValueError, match=r"x.grad is 8.0, but this backward pass gives it 4.0"):
        stepper(y)


def test_a_large_graph_is_collapsed_by_module_or_refused() -> None:
    net = MLP(3, [12, 12, 1], seed=0)
    [y] = net([0.5, -1.0, 2.0])
    L = (y - 1.0) ** 2
    L.backward()
    page = stepper(L, model=net)
    assert page.collapsed and len(page.backward) == edges(L)
    assert {n.svg for n in page.nodes if n.svg and n.svg.startswith("m")}  # module boxes
    with pytest.raises(ValueError, match="stepper: the graph has 633 nodes, more than max_nodes"):
        stepper(L)  # no model: no modules to collapse
    chain = Value(1.0, "x")
    for _ in range(MAX_STEPS // 2):
        chain = chain * 1.0
    chain.backward()
    with pytest.raises(ValueError, match="more than a page holds"):
        stepper(chain, max_nodes=None)


def test_bad_arguments_are_named() -> None:
    _, E_total = net222()
    with pytest.raises(TypeError, match="stepper: root must be a Value or a Tensor, got float"):
        stepper(1.0)
    with pytest.raises(ValueError, match="stepper: highlight 'w9' names no node"):
        stepper(E_total, highlight="w9")
    with pytest.raises(TypeError, match="stepper: model must be a tinygrad_edu Module"):
        stepper(E_total, model="net")  # type: ignore[arg-type]


def test_the_page_is_one_file_that_needs_no_network(dot: None, tmp_path: Path) -> None:
    net, E_total = net222()
    path = stepper(E_total, highlight="w1", model=net).save(tmp_path / "backprop.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text
    # Nothing is fetched: no src or href to another file or address, no @import, no url().
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", text)
    assert len(text.encode()) < 300_000
    data = json.loads(
        re.search(r'id="stepper-data">(.*?)</script>', text, re.DOTALL).group(1)  # type: ignore[union-attr]
    )
    assert [n["exact"] for n in data["nodes"]] == [repr(n.grad) for n in topological_order(E_total)]


def test_in_jupyter_the_page_shows_in_a_frame_of_its_own(dot: None) -> None:
    _, L = net231()
    shown = stepper(L)._repr_html_()
    assert shown.startswith('<iframe srcdoc="&lt;!DOCTYPE html&gt;')
    assert 'sandbox="allow-scripts"' in shown


# --- in a real browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by Selenium through the system's chromedriver; Selenium Manager
    is kept offline (SE_OFFLINE) so that nothing is downloaded."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("selenium (pip install -e '.[browser]')")
    if missing or shutil.which("dot") is None:
        message = (
            f"browser tests need {', '.join(missing) or 'Graphviz dot'} "
            "(make setup installs chromium and chromium-driver when root)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must run the browser tests")
        pytest.skip(message)
    previous = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"
    profile = tempfile.mkdtemp(prefix="stepper-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        if previous is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = previous


@pytest.fixture(scope="module", params=["net222", "net231"])
def opened(
    request: pytest.FixtureRequest, browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Any, Value, Stepper]:
    """The page of a network, opened in the browser: (driver, root, page)."""
    net, root = {"net222": net222, "net231": net231}[request.param]()
    page = stepper(root, highlight="w1" if request.param == "net222" else None, model=net)
    path = page.save(tmp_path_factory.mktemp(request.param) / "backprop.html")
    browser.get_log("browser")  # forget what an earlier page logged
    browser.get(path.as_uri())
    return browser, root, page


def press(driver: Any, *keys: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.TAG_NAME, "body").send_keys(*keys)


def position(driver: Any) -> tuple[int, int]:
    """(step, of how many), read from the page's counter."""
    from selenium.webdriver.common.by import By

    text = driver.find_element(By.ID, "counter").text
    match = re.fullmatch(r"step (\d+) of (\d+)", text)
    assert match is not None, text
    return int(match.group(1)), int(match.group(2))


def test_the_page_opens_without_console_errors(opened: tuple[Any, Value, Stepper]) -> None:
    driver, root, page = opened
    from selenium.webdriver.common.keys import Keys

    press(driver, Keys.END)  # every part of the page has been drawn once
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    assert position(driver) == (len(page.forward) + edges(root),) * 2


def test_stepping_to_the_end_shows_every_gradient_of_the_engine(
    opened: tuple[Any, Value, Stepper],
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, root, page = opened
    press(driver, Keys.HOME)
    assert position(driver)[0] == 0
    operations, count = len(page.forward), edges(root)
    # The backward phase takes exactly one step per edge.
    press(driver, *[Keys.ARROW_RIGHT] * operations)
    assert position(driver) == (operations, operations + count)
    assert driver.find_element(By.ID, "phase").text.lower() == "forward"
    press(driver, *[Keys.ARROW_RIGHT] * count)
    assert position(driver) == (operations + count,) * 2
    assert "Done: every node shows" in driver.find_element(By.ID, "panel").text
    # Every node's gradient, in the table and on its box, is the engine's, exactly.
    order = topological_order(root)
    cells = driver.find_elements(By.CSS_SELECTOR, "#table td.grad")
    assert [float(c.get_attribute("data-grad")) for c in cells] == [n.grad for n in order]
    boxes = {
        int(g.get_attribute("data-node")): g
        for g in driver.find_elements(By.CSS_SELECTOR, "g.node[data-node]")
    }
    assert sorted(boxes) == list(range(len(order)))
    for k, node in enumerate(order):
        box = boxes[k]
        assert float(box.get_attribute("data-grad")) == node.grad
        texts = [t.get_attribute("textContent") for t in box.find_elements(By.TAG_NAME, "text")]
        assert f"grad {node.grad:.4g}" in texts


def test_the_keyboard_steps_plays_and_jumps(opened: tuple[Any, Value, Stepper]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = opened[0]
    last = position(driver)[1]
    press(driver, Keys.HOME)
    assert position(driver)[0] == 0
    press(driver, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_LEFT)
    assert position(driver)[0] == 2
    assert driver.find_element(By.ID, "panel").text.startswith("FORWARD PASS")
    press(driver, Keys.END)
    assert position(driver)[0] == last
    press(driver, Keys.ARROW_RIGHT)  # nothing after the end
    assert position(driver)[0] == last
    press(driver, Keys.HOME, Keys.SPACE)  # play ...
    deadline = time.monotonic() + 10
    while position(driver)[0] < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    press(driver, Keys.SPACE)  # ... and pause
    paused = position(driver)[0]
    assert paused >= 2
    time.sleep(0.8)
    assert position(driver)[0] == paused
    assert "play" in driver.find_element(By.ID, "play").text


def test_a_screenshot_in_the_middle_of_the_backward_pass_is_a_picture(
    opened: tuple[Any, Value, Stepper], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    image = pytest.importorskip("PIL.Image", reason="Pillow decodes the screenshot")
    driver, root, page = opened
    middle = len(page.forward) + edges(root) // 2
    press(driver, Keys.HOME, *[Keys.ARROW_RIGHT] * middle)
    assert position(driver)[0] == middle
    assert driver.find_element(By.ID, "phase").text.lower() == "backward"
    assert driver.find_elements(By.CSS_SELECTOR, "g.node.current")  # the node visited, lit
    time.sleep(0.6)  # the graph scrolls smoothly to the step
    png = driver.get_screenshot_as_png()
    (tmp_path / "middle.png").write_bytes(png)
    picture = image.open(io.BytesIO(png)).convert("RGB")
    pixels = np.asarray(picture).reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    assert len(colours) > 200  # text, boxes, highlights: far more than a blank page
    assert counts.max() / len(pixels) < 0.9  # no one colour (white) fills the page
    # The lit colours are there: the orange of the node visited, the red of the edge.
    assert ((pixels[:, 0] > 180) & (pixels[:, 1] < 90) & (pixels[:, 2] < 90)).sum() > 200


def test_the_command_line_writes_the_page(dot: None, tmp_path: Path) -> None:
    from tinygrad_edu.__main__ import main

    out = tmp_path / "backprop.html"
    assert main(["step", "--highlight", "w1", "--out", str(out)]) == 0
    assert '"focus": ' in out.read_text(encoding="utf-8")
    assert main(["step", "--out", str(tmp_path / "page.svg")]) == 2
