"""Simulator speed on this machine: `make bench` prints it. Not a test: nothing here asserts."""

from __future__ import annotations

import statistics
import time

import simpy

from simulator import Latency, compound_table, load_scenario, simulate, uniform_scenario
from simulator.randomness import python_stream

TARGET_RATIO = 1.2  # issue 7: the SimPy engine within 1.2 times the hand-written loop's cost per trial


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


def compared_chain():
    """The engine's side of the comparison: the same work per trial as :func:`plain_simpy_chain`.

    Five agents at 0.85 with exponential 2-second attempts (the loop's ``expovariate(0.5)``),
    every failure silent so that, like the loop, every trial runs all five agents: five
    timeouts per trial on both sides. The engine also keeps its full books and hand-off draws.
    """
    return uniform_scenario("sequential", 5, 0.85, silent_share=1.0, latency=Latency("exponential", 2.0))


def engine_against_plain_loop(trials: int = 20_000, rounds: int = 5) -> tuple[float, float]:
    """Best-of times of the SimPy engine and the hand-written loop, run turn about so load hits both."""
    chain = compared_chain()
    engine, plain = [], []
    for _ in range(rounds):
        engine.append(best_of(lambda: simulate(chain, trials=trials, seed=1, engine="simpy"), 1)[0])
        plain.append(best_of(lambda: plain_simpy_chain(trials), 1)[0])
    return trials / min(engine), trials / min(plain)


def main():
    chain = uniform_scenario("sequential", 5, 0.85)
    orders = load_scenario("orders_daily")
    rows = []
    n = 200_000
    best, _ = best_of(lambda: simulate(chain, trials=n, seed=1))
    rows.append(("5-agent chain, vectorised engine", f"{n / best:,.0f} trials/s"))
    engine_rate, plain_rate = engine_against_plain_loop()
    rows.append(("5-agent chain, SimPy engine (5 timeouts a trial)", f"{engine_rate:,.0f} trials/s"))
    rows.append(("5-agent chain, plain hand-written SimPy loop (5 timeouts a trial)", f"{plain_rate:,.0f} trials/s"))
    ratio = plain_rate / engine_rate
    verdict = "within" if ratio <= TARGET_RATIO else "NOT within"
    rows.append(("SimPy engine's cost per trial / hand-written loop's", f"{ratio:.2f}x ({verdict} {TARGET_RATIO}x)"))
    n = 20_000
    best, _ = best_of(lambda: simulate(chain, trials=n, seed=1, engine="simpy"), 3)
    rows.append(
        ("5-agent chain, SimPy engine, lognormal latency, stops at a loud failure", f"{n / best:,.0f} trials/s")
    )
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
