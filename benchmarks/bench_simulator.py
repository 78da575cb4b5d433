"""Simulator speed on this machine: `make bench` prints it. Not a test: nothing here asserts."""

from __future__ import annotations

import statistics
import time

import simpy

from simulator import compound_table, load_scenario, simulate, uniform_scenario
from simulator.randomness import python_stream


def best_of(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def plain_simpy_chain(trials: int, agents: int = 5, p: float = 0.85):
    """The reference the issue quotes: a hand-written SimPy loop, one fresh Environment per trial."""
    rng = python_stream(0)
    ok = 0
    for _ in range(trials):
        env = simpy.Environment()
        result = {}

        def chain(env=env, result=result):
            good = True
            for _ in range(agents):
                yield env.timeout(rng.expovariate(0.5))
                good = good and rng.random() < p
            result["ok"] = good

        env.process(chain())
        env.run()
        ok += result["ok"]
    return ok


def main():
    chain = uniform_scenario("sequential", 5, 0.85)
    orders = load_scenario("orders_daily")
    rows = []
    n = 200_000
    best, _ = best_of(lambda: simulate(chain, trials=n, seed=1))
    rows.append(("5-agent chain, vectorised engine", f"{n / best:,.0f} trials/s"))
    n = 20_000
    best, _ = best_of(lambda: simulate(chain, trials=n, seed=1, engine="simpy"), 3)
    rows.append(("5-agent chain, SimPy engine", f"{n / best:,.0f} trials/s"))
    best, _ = best_of(lambda: plain_simpy_chain(n), 3)
    rows.append(("5-agent chain, plain hand-written SimPy loop", f"{n / best:,.0f} trials/s"))
    best, _ = best_of(lambda: simulate(orders, trials=10_000, seed=1))
    rows.append(("orders_daily, 10,000 trials (vectorised)", f"{best * 1000:,.1f} ms"))
    best, _ = best_of(lambda: simulate(orders, trials=10_000, seed=1, engine="simpy"), 3)
    rows.append(("orders_daily, 10,000 trials (SimPy)", f"{best * 1000:,.1f} ms"))
    # one slider move of the lessons' compound-reliability explorer, measured in the kernel: the
    # simulation behind it plus the in-place figure update (the browser's redraw comes on top)
    from explorers import reliability_explorer

    explorer = reliability_explorer()
    slider = explorer.sliders["reliability"]
    moves = []
    for value in [0.80, 0.83, 0.86, 0.89, 0.92, 0.95, 0.98] * 3:
        slider.value = value
        moves.append(explorer.last_update_ms)
    rows.append(
        (
            "one reliability-slider move of the compound-reliability explorer",
            f"{statistics.median(moves):,.1f} ms median, {max(moves):,.1f} ms worst of {len(moves)}",
        )
    )
    best, _ = best_of(lambda: compound_table(trials=100_000, seed=0), 3)
    rows.append(("the module's table, 15 cells x 100,000 trials", f"{best * 1000:,.0f} ms"))
    width = max(len(r[0]) for r in rows)
    print("Simulator benchmark (best of several runs)")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


if __name__ == "__main__":
    main()
