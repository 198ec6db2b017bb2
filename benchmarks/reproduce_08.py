"""Paper-scale mode-collapse results for lesson 08: every method on the ring and the grid.

    python3 course.py reproduce 08          # (re)writes notebooks/results/08_remedies.json

Trains each method of `ganlessons.remedies.METHODS` listed in SETTINGS on both data sets, over
SETTINGS["seeds"], as one batched program per (method, data set), in two single-threaded worker
processes. Every `eval_every` steps each run's generator draws 2,500 samples from a fixed noise
batch and is scored the papers' way (VEEGAN / PacGAN; `ganlessons.metrics.paper_report`):

- HQ: within 3σ of the nearest mode centre; % HQ = share of the 2,500 samples that are HQ;
- modes: components that are the nearest centre of at least one HQ sample;
- reverse KL = Σₖ p(k) log(p(k) / w(k)) with p the histogram of the HQ samples over their
  nearest modes (as PacGAN's code counts them), w the true weights (uniform); empty bins add
  0 (0·log 0 = 0); with no HQ sample at all it is undefined (NaN).

The file records the settings, the torch version, a hash of the code and settings that produce
it (`code_hash`), each run's final metrics and its metric-vs-step curves. Single-threaded torch
on one machine is deterministic: running it again writes the same numbers.
"""
import hashlib
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))          # this checkout's ganlessons, also in the worker processes
OUT = ROOT / "notebooks" / "results" / "08_remedies.json"
# What the results depend on is this script, its settings and what the package's code *does*:
# code_hash() hashes the script, the settings and a fingerprint of the code's behaviour (every
# method trained 20 steps on tiny networks in float64, and the metrics of what they produce), so
# a refactor that changes no number leaves the file valid, and a change of behaviour makes it stale.
SETTINGS = {
    "datasets": {"ring": {"modes": 8, "radius": 2.0, "std": 0.02}, "grid": {"side": 5, "spacing": 2.0, "std": 0.05}},
    "methods": ["vanilla", "vanilla_d5", "unrolled5", "pac2", "pac4", "minibatch_std", "wgan_gp"],
    "seeds": list(range(10)),
    "steps": {"ring": 6000, "grid": 16000},   # % HQ levels off by ~4,000 (ring) and ~12,000 (grid) steps
    "eval_every": 500,
    "eval_size": 2500,
    "train": {"batch_size": 100, "z_dim": 2, "hidden": [128, 128], "g_activation": "tanh", "d_activation": "tanh",
              "lr_g": 1e-3, "lr_d": 1e-3, "betas": [0.5, 0.999], "g_loss": "non_saturating"},
}


def fingerprint(settings=SETTINGS):
    """Rounded numbers that change when the training or scoring code changes what it computes."""
    import torch
    from ganlessons import data, metrics, remedies
    torch.set_num_threads(1)
    tiny = dict(settings["train"], hidden=(8, 8), betas=tuple(settings["train"]["betas"]), batch_size=16)
    numbers = []
    for name in settings["datasets"]:
        target = dataset(name, settings)
        numbers += data.sample(target, 4, torch.Generator().manual_seed(0)).flatten().tolist()
        for method in settings["methods"]:
            trained = remedies.train_2d(target, method, seeds=(0, 1), steps=20, snapshot_size=400,
                                        dtype=torch.float64, **tiny)
            for x in trained.snapshots[20]:
                numbers += [*x.mean(0).tolist(), *x.std(0).tolist(), *metrics.paper_report(x, target).values()]
            numbers += trained.losses[:, -1].flatten().tolist()
    return [round(v, 6) for v in numbers]


def code_hash(settings=SETTINGS):
    """sha256 over the settings, this script and the code's fingerprint(): what the results depend on."""
    h = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    h.update(Path(__file__).read_bytes().replace(b"\r\n", b"\n"))
    h.update(json.dumps(fingerprint(settings)).encode())
    return h.hexdigest()


def dataset(name, settings=SETTINGS):
    """The target distribution of data set `name` with its settings."""
    import ganlessons as gl
    return {"ring": gl.ring, "grid": gl.grid}[name](**settings["datasets"][name])


def _job(args):
    """Train one method on one data set over all seeds; return its runs (final metrics and curves)."""
    method, data, settings = args
    import torch
    torch.set_num_threads(1)
    from ganlessons import metrics, remedies
    target = dataset(data, settings)
    steps = settings["steps"][data]
    train = dict(settings["train"], hidden=tuple(settings["train"]["hidden"]), betas=tuple(settings["train"]["betas"]))
    at = list(range(0, steps + 1, settings["eval_every"]))
    start = time.perf_counter()
    trained = remedies.train_2d(target, method, seeds=settings["seeds"], steps=steps, snapshot_at=at,
                                snapshot_size=settings["eval_size"], **train)
    seconds = time.perf_counter() - start
    runs = []
    for i, seed in enumerate(settings["seeds"]):
        curve = [{k: round(v, 6) for k, v in metrics.paper_report(trained.snapshots[s][i], target).items()} for s in at]
        runs.append({"method": method, "dataset": data, "seed": seed, "steps": steps,
                     **curve[-1], "curve": {"step": at, **{k: [c[k] for c in curve] for k in curve[-1]}}})
    return method, data, runs, seconds


def main():
    import torch
    import ganlessons
    assert Path(ganlessons.__file__).resolve().parent == ROOT / "ganlessons", ganlessons.__file__
    before = code_hash()
    jobs = [(m, d, SETTINGS) for d in SETTINGS["datasets"] for m in SETTINGS["methods"]]
    cost = {"unrolled5": 11.5, "unrolled10": 23, "wgan_gp": 5.2, "vanilla_d5": 3.4, "pac4": 2, "pac2": 1.4,
            "minibatch_std": 1.4}                                    # CPU time per step, vanilla = 1 (measured)
    jobs.sort(key=lambda j: -cost.get(j[0], 1) * SETTINGS["steps"][j[1]])   # longest first: both workers finish together
    start, results, seconds = time.perf_counter(), {}, {}
    with ProcessPoolExecutor(max_workers=2) as pool:
        for method, data, runs, took in pool.map(_job, jobs):
            results[method, data], seconds[f"{method}/{data}"] = runs, round(took)
            print(f"{method:14s} {data}: {took:6.0f} s", flush=True)
    runs = [r for d in SETTINGS["datasets"] for m in SETTINGS["methods"] for r in results[m, d]]
    if code_hash() != before:
        sys.exit("the code changed while the runs were training: nothing written; run it again")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    record = {"setup": SETTINGS, "code_hash": before, "torch": torch.__version__,
              "command": "python3 course.py reproduce 08", "runs": runs}
    OUT.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(runs)} runs) in {time.perf_counter() - start:.0f} s; "
          f"per job: {seconds}")


if __name__ == "__main__":
    sys.exit(main())
