"""Learn XOR with a tiny MLP on the scalar engine.

python examples/xor_scalar_mlp.py
"""

from tinygrad_edu import MLP, SGD, Value

POINTS = [([0.0, 0.0], 0.0), ([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 0.0)]


def train(steps: int = 2000, lr: float = 0.5, seed: int = 1) -> tuple[MLP, float]:
    """Full-batch gradient descent on E = Σ ½(y − t)²; returns the net and its final loss."""
    net = MLP(2, [4, 1], activation=["tanh", "sigmoid"], seed=seed)
    opt = SGD(net.parameters(), lr=lr)
    loss = Value(0.0)
    for _ in range(steps):
        opt.zero_grad()
        loss = sum((0.5 * (net(x)[0] - t) ** 2 for x, t in POINTS), Value(0.0))
        loss.backward()
        opt.step()
    return net, loss.data


def main() -> None:
    net, loss = train()
    print(f"final loss {loss:.6f}")
    for x, t in POINTS:
        print(f"  {x} -> {net(x)[0].data:.3f}   (target {t})")


if __name__ == "__main__":
    main()
