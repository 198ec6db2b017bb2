"""Lesson 08's paper-scale results file: present, complete, and produced by the code and settings of today.

It is written by `python3 course.py reproduce 08` (benchmarks/reproduce_08.py). When this test
fails because the file is stale, re-run that command and commit the file it writes.
"""
import importlib.util
import json
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("reproduce_08", ROOT / "benchmarks" / "reproduce_08.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    return _script()


@pytest.fixture(scope="module")
def record(script):
    assert script.OUT.exists(), f"{script.OUT.relative_to(ROOT)} is missing: run `python3 course.py reproduce 08`"
    return json.loads(script.OUT.read_text())


def test_results_are_not_stale(script, record):
    assert record["setup"] == json.loads(json.dumps(script.SETTINGS)), \
        "the settings changed since the file was written: run `python3 course.py reproduce 08`"
    assert record["code_hash"] == script.code_hash(), \
        "the code that produces the results changed since the file was written: run `python3 course.py reproduce 08`"
    assert record["torch"] and record["command"] == "python3 course.py reproduce 08"


def test_results_are_complete(script, record):
    settings = script.SETTINGS
    want = {(m, d, s) for m in settings["methods"] for d in settings["datasets"] for s in settings["seeds"]}
    got = [(r["method"], r["dataset"], r["seed"]) for r in record["runs"]]
    assert len(got) == len(set(got)) and set(got) == want, "one run per method, data set and seed"
    assert len(settings["seeds"]) >= 10
    for r in record["runs"]:
        steps = settings["steps"][r["dataset"]]
        at = list(range(0, steps + 1, settings["eval_every"]))
        assert r["steps"] == steps and r["curve"]["step"] == at
        for key in ("modes", "hq_percent", "reverse_kl"):
            last = r["curve"][key][-1]
            assert len(r["curve"][key]) == len(at) and (last == r[key] or math.isnan(last) and math.isnan(r[key]))
        modes = script.dataset(r["dataset"], settings).centres.shape[0]
        assert 0 <= r["modes"] <= modes and 0 <= r["hq_percent"] <= 100
        assert r["modes"] == 0 or (math.isfinite(r["reverse_kl"]) and r["reverse_kl"] >= 0)


def test_code_hash_sees_a_change_of_settings_or_of_behaviour(script, monkeypatch):
    small = json.loads(json.dumps(script.SETTINGS))
    small["methods"], small["datasets"] = ["wgan_gp"], {"ring": small["datasets"]["ring"]}
    fewer = dict(small, seeds=small["seeds"][:-1])
    assert script.code_hash(fewer) != script.code_hash(small)
    before = script.fingerprint(small)
    from ganlessons import remedies
    monkeypatch.setitem(remedies.METHODS, "wgan_gp", remedies.Method("changed", d_steps=5, wgan_gp=True, gp_weight=1.0))
    assert script.fingerprint(small) != before, "a change of what the code computes changes the fingerprint"
