"""The 2-2-2 network of the derivation: gradients by autograd next to the hand-derived formulas,
then a few steps of gradient descent.

    python examples/net222_by_hand_and_by_autograd.py
"""

from tinygrad_edu import SEED, SGD, Net222, closed_form


def main() -> None:
    net = Net222(SEED.w)
    E_total = net(i=SEED.i, t=SEED.t)
    E_total.backward()
    by_hand = closed_form(SEED.i, SEED.t, SEED.w)

    print(f"E_total = {E_total.data:.12f}")
    print(f"{'weight':<8}{'autograd':>22}{'closed form':>22}")
    for w in net.weights:
        print(f"{w.label:<8}{w.grad:>22.15e}{by_hand['d' + w.label]:>22.15e}")

    # ∂E_total/∂a_h1 is a node's gradient too: the sum over the two paths through o1 and o2.
    print(f"dE_total/da_h1: autograd {net.nodes['a_h1'].grad:.15e}, ", end="")
    print(f"closed form {by_hand['dE_total/da_h1']:.15e}")

    opt = SGD(net.parameters(), lr=0.5)
    for step in range(1, 6):
        opt.zero_grad()
        E_total = net(i=SEED.i, t=SEED.t)
        E_total.backward()
        opt.step()
        print(f"step {step}: E_total = {E_total.data:.12f}")


if __name__ == "__main__":
    main()
