"""A character-level MLP that makes up names, in the style of Karpathy's makemore lesson.

python examples/makemore_mlp.py                # train, sample, write pictures into pictures/
python examples/makemore_mlp.py out --quick    # fewer steps, pictures into out/

The data set is made here: short names glued from a few syllables with a seeded random
generator ("kamiro.", "lesa.", …; "." ends a name). From each name come training examples:
the last three characters (the context, "..." at the start) and the character that follows.
The model, on Tensors:

    emb    = C[X]                      look up a 2-number embedding per context character
    x      = emb.reshape(N, 6)         the three embeddings side by side
    hpre   = hidden(x)                 a Linear layer: x @ Wᵀ + b
    hnorm  = γ · (hpre − μ) / √(σ² + ε) + β     batch-norm-like: μ, σ² over the batch
    h      = tanh(hnorm)
    logits = out(h)                    a Linear layer: one score per character
    loss   = cross_entropy(logits, Y)  −log softmax(logits)[next character], averaged

trained with AdamW on minibatches. It prints the loss before and after (against log(vocab),
the loss of guessing uniformly), a few names sampled from the model, and the chain-rule paths
from the loss down to the embedding table C; it writes makemore_graph.png and .svg, the graph
of one small batch's loss, collapsed to one box per layer.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import AdamW, Layout, Linear, Module, Tensor, no_grad
from tinygrad_edu.explain import explain
from tinygrad_edu.losses import cross_entropy
from tinygrad_edu.viz import GraphvizNotFoundError, draw_graph, render

SYLLABLES = ["ka", "ri", "mo", "na", "le", "sa", "to", "mi", "el", "an", "bo", "lu"]
END = "."
CONTEXT = 3
EMBEDDING = 2
HIDDEN = 64
BATCH = 32
EPS = 1e-5
STEPS, QUICK_STEPS = 600, 150
LR = 0.01
SEED = 0


def make_names(count: int = 500, seed: int = SEED) -> list[str]:
    """`count` made-up names of 2 or 3 syllables, e.g. "kamiro"."""
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(SYLLABLES, size=rng.integers(2, 4))) for _ in range(count)]


def make_data(seed: int = SEED) -> tuple[list[str], list[str], Any, Any]:
    """The names, the vocabulary ("." first, then the letters), and the examples X, Y."""
    names = make_names(seed=seed)
    chars = [END, *sorted(set("".join(names)))]
    X, Y = make_dataset(names, {c: k for k, c in enumerate(chars)})
    return names, chars, X, Y


def make_dataset(names: list[str], stoi: dict[str, int]) -> tuple[Any, Any]:
    """X: (N, CONTEXT) indices of the context characters; Y: (N,) index of the next one."""
    X, Y = [], []
    for name in names:
        context = [stoi[END]] * CONTEXT
        for char in name + END:
            X.append(context)
            Y.append(stoi[char])
            context = [*context[1:], stoi[char]]
    return np.array(X), np.array(Y)


def named(t: Tensor, label: str) -> Tensor:
    """`t`, labelled: explanations and pictures call it by this name."""
    t.label = label
    return t


class CharMLP(Module):
    """Embedding table C, a hidden Linear with batch-norm-like standardisation and tanh, and
    an output Linear giving one logit per character."""

    def __init__(self, vocab: int, seed: int = SEED) -> None:
        rng = np.random.default_rng(seed)
        self.C = Tensor(rng.normal(0.0, 1.0, (vocab, EMBEDDING)), requires_grad=True, label="C")
        self.hidden = Linear(CONTEXT * EMBEDDING, HIDDEN, label="hidden", seed=rng)
        self.gamma = Tensor(np.ones((1, HIDDEN)), requires_grad=True, label="γ")
        self.beta = Tensor(np.zeros((1, HIDDEN)), requires_grad=True, label="β")
        self.out = Linear(HIDDEN, vocab, label="out", seed=rng)
        # Small output weights: at first every character gets about the same score, so the
        # loss starts near log(vocab) rather than far above it.
        self.out.weight.data *= 0.1
        # μ and σ² of the whole training set, estimated as training goes, for use on one
        # context at a time (sampling), where a batch of one has no spread to measure.
        self.running_mean = np.zeros((1, HIDDEN))
        self.running_var = np.ones((1, HIDDEN))

    def __call__(self, contexts: Any, training: bool = True) -> Tensor:
        """The logits for a batch of contexts, character indices of shape (N, CONTEXT)."""
        # emb[n, k] is row contexts[n, k] of C: shape (N, CONTEXT, EMBEDDING).
        emb = named(self.C[contexts], "emb")
        x = named(emb.reshape(len(contexts), CONTEXT * EMBEDDING), "x")
        hpre = named(self.hidden(x), "hpre")
        if training:
            mu = named(hpre.mean(axis=0, keepdims=True), "μ")
            var = named(hpre.var(axis=0, keepdims=True), "σ²")  # Σ (hpre − μ)² / (N − 1)
            # Plain numpy arrays (.data): the running estimates are no part of the graph.
            self.running_mean = 0.9 * self.running_mean + 0.1 * mu.data
            self.running_var = 0.9 * self.running_var + 0.1 * var.data
            std = named((var + EPS).sqrt(), "std")  # √(σ² + ε)
            hnorm = self.gamma * (hpre - mu) / std + self.beta
        else:
            spread = np.sqrt(self.running_var + EPS)
            hnorm = self.gamma * (hpre - self.running_mean) / spread + self.beta
        h = named(named(hnorm, "hnorm").tanh(), "h")
        return named(self.out(h), "logits")

    def add_to_layout(self, layout: Layout, name: str) -> Layout:
        """Its two Linear layers, for pictures: draw_graph groups their nodes into boxes."""
        return self.out.add_to_layout(self.hidden.add_to_layout(layout, "hidden"), "out")

    def parameters(self) -> list[Any]:
        """C, the hidden layer's W and b, γ, β, the output layer's W and b."""
        return [self.C, *self.hidden.parameters(), self.gamma, self.beta, *self.out.parameters()]


def train(model: CharMLP, contexts: Any, targets: Any, steps: int, seed: int = SEED) -> float:
    """AdamW on `steps` random minibatches of BATCH examples; returns the last one's loss."""
    rng = np.random.default_rng(seed)
    opt = AdamW(model.parameters(), lr=LR)  # Adam plus decoupled weight decay λ = 0.01
    loss = math.nan
    for _ in range(steps):
        batch = rng.integers(0, len(contexts), BATCH)
        opt.zero_grad()
        value = cross_entropy(model(contexts[batch]), targets[batch])
        value.backward()
        opt.step()
        loss = value.item()
    return loss


def full_loss(model: CharMLP, contexts: Any, targets: Any) -> float:
    """The mean cross-entropy over every example, with the running μ and σ²."""
    with no_grad():
        return float(cross_entropy(model(contexts, training=False), targets).item())


def sample(model: CharMLP, chars: list[str], count: int, seed: int = SEED) -> list[str]:
    """`count` names drawn from the model, one character at a time, until it writes "."."""
    rng = np.random.default_rng(seed)
    names = []
    for _ in range(count):
        context, out = [0] * CONTEXT, ""
        while len(out) < 20:
            with no_grad():
                probs = model(np.array([context]), training=False).softmax(axis=1).data[0]
            k = int(rng.choice(len(probs), p=probs / probs.sum()))
            if chars[k] == END:
                break
            out += chars[k]
            context = [*context[1:], k]
        names.append(out)
    return names


def write_pictures(graph: Any, stem: Path) -> list[Path]:
    """`stem`.png and `stem`.svg (or `stem`.dot, with a message, when Graphviz is missing)."""
    try:
        return [render(graph, stem.with_suffix(f".{fmt}")) for fmt in ("png", "svg")]
    except GraphvizNotFoundError as missing:
        print(missing)
        return [render(graph, stem.with_suffix(".dot"))]


def main(argv: Sequence[str] | None = None) -> None:
    """Make the names, train, print losses and samples, explain ∂loss/∂C, draw the graph."""
    parser = argparse.ArgumentParser(
        allow_abbrev=False, description="A makemore-style character MLP on Tensors."
    )
    parser.add_argument("folder", nargs="?", default="pictures", help="where pictures go")
    parser.add_argument("--quick", action="store_true", help="fewer steps, for a smoke test")
    args = parser.parse_args(argv)
    steps = QUICK_STEPS if args.quick else STEPS

    names, chars, X, Y = make_data()
    print(f"{len(names)} made-up names such as {', '.join(names[:4])}: {len(X)} examples")
    print(
        f"vocabulary of {len(chars)}: {''.join(chars)}   uniform guess: log {len(chars)} = "
        f"{math.log(len(chars)):.4f}"
    )

    model = CharMLP(len(chars))
    before = full_loss(model, X, Y)
    train(model, X, Y, steps)
    after = full_loss(model, X, Y)
    print(f"AdamW (lr {LR}), {steps} steps of {BATCH} examples: loss {before:.4f} → {after:.4f}")
    print(f"sampled: {', '.join(sample(model, chars, 8))}")

    # One small batch, its loss, and every path from the loss down to the embedding table.
    model.zero_grad()
    loss = cross_entropy(model(X[:4]), Y[:4])
    loss.label = "loss"
    loss.backward()
    print()
    print(explain(loss, model.C))

    graph = draw_graph(loss, model=model, max_nodes=25)
    for path in write_pictures(graph, Path(args.folder) / "makemore_graph"):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
