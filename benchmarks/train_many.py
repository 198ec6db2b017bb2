"""How much faster is train_many than a Python loop over separate train_gan runs?

Prints runs×steps per second for N = 1, 8, 32, 128 GANs trained at once by
ganlessons.train_many, against a loop that trains separate models one after the other with
train_gan, for the 1-D setting (hidden 32, batch 256) and the 2-D ring (hidden 128, batch 256),
on one torch thread. Each figure is the best of `--repeats` interleaved measurements, because a
shared machine's load changes from second to second; the load average is printed too.

    .venv/bin/python benchmarks/train_many.py              # about 1–2 minutes
    .venv/bin/python benchmarks/train_many.py --work 2000  # runs×steps per measurement
"""
import argparse
import os
import time

import torch

import ganlessons as gl

SETTINGS = {"1D": dict(target=gl.mixture_1d(), z_dim=1, hidden=(32,)),
            "2D": dict(target=gl.ring(), z_dim=2, hidden=(128,))}
BATCH = 256


def loop_rate(setting, runs, steps):
    """runs×steps/s of separate train_gan runs, one after the other."""
    start = time.perf_counter()
    for seed in range(runs):
        G, D = gl.make_players(seed, z_dim=setting["z_dim"], x_dim=setting["target"].event_shape[0],
                               hidden=setting["hidden"])
        gl.train_gan(G, D, setting["target"], steps=steps, batch_size=BATCH, seed=seed, progress=False)
    return runs * steps / (time.perf_counter() - start)


def many_rate(setting, runs, steps):
    """runs×steps/s of train_many over `runs` seeds."""
    start = time.perf_counter()
    gl.train_many(range(runs), setting["target"], z_dim=setting["z_dim"], hidden=setting["hidden"],
                  steps=steps, batch_size=BATCH, progress=False)
    return runs * steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=int, default=1600, help="runs×steps per 1-D measurement (2-D: a third)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 8, 32, 128])
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, load average {os.getloadavg()[0]:.1f}")
    print(f"{'setting':8} {'N':>4} {'loop runs·steps/s':>18} {'train_many':>11} {'speed-up':>9}")
    for name, setting in SETTINGS.items():
        work = args.work if name == "1D" else args.work // 3
        many_rate(setting, 2, 5)                          # warm up
        for runs in args.sizes:
            steps = max(10, work // runs)
            loop_runs = min(runs, 4)                      # a loop's rate does not depend on N
            loop, many = 0.0, 0.0
            for _ in range(args.repeats):
                loop = max(loop, loop_rate(setting, loop_runs, max(10, work // loop_runs)))
                many = max(many, many_rate(setting, runs, steps))
            print(f"{name:8} {runs:4d} {loop:18.0f} {many:11.0f} {many / loop:8.1f}×", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
