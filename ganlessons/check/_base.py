"""The machinery every self-check shares (lesson 00): the printed ✓/✗ verdict, a guard that makes
a check never raise, and safe ways to read whatever the learner's function returned."""
import functools
import math
import numbers

import torch

class Verdict:
    """A check's outcome: true when it passed. Shows nothing in a notebook (the check printed it)."""

    def __init__(self, ok):
        self.ok = bool(ok)

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return "✓" if self.ok else "✗"

    def _ipython_display_(self):
        pass


def verdict(ok, name, detail, hint=""):
    """Print ✓/✗ for one exercise with what differed and a hint; return a Verdict (lesson 00)."""
    if ok:
        print(f"✓ {name}: {detail}")
    else:
        print(f"✗ {name}: {detail}" + (f"\n  Hint: {hint}" if hint else ""))
    return Verdict(ok)


class _Failed(Exception):
    """Raised inside a check to stop at the first ✗; carries the printed Verdict."""

    def __init__(self, result):
        super().__init__("check failed")
        self.result = result


def _fail(name, detail, hint=""):
    """Print ✗ and stop the check."""
    raise _Failed(verdict(False, name, detail, hint))


def _never_raises(check):
    """Wrap a check so that nothing the learner hands it can make it raise (lesson 00)."""
    @functools.wraps(check)
    def guarded(fn=None, *args, **kwargs):
        name = check.__name__
        try:
            if not callable(fn):
                _fail(name, f"you passed {_show(fn)}, not a function",
                      f"pass the function itself, without calling it: gl.check.{name}(your_function)")
            return check(fn, *args, **kwargs)
        except _Failed as failed:
            return failed.result
        except Exception as exc:  # the learner's answer broke the check itself: still a ✗, never a crash
            return verdict(False, name, f"your answer could not be checked ({type(exc).__name__}: {exc})",
                           "return the kind of value the exercise asks for, and run it on a small input first")
    return guarded


def _show(value, width=60):
    """A short printable description of any value, even one whose repr fails."""
    try:
        text = repr(value)
    except Exception:
        text = f"a {type(value).__name__}"
    return text if len(text) <= width else text[:width - 1] + "…"


def _call(name, fn, *args):
    """Run the learner's function on copies of the inputs; on an exception report ✗ and stop."""
    try:
        return fn(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args])
    except (Exception, SystemExit) as exc:  # the learner's code may fail in any way: report, never raise
        _fail(name, f"your function raised {type(exc).__name__}: {exc}",
              "run it on a small input in a cell of its own and read the traceback")


def _number(got):
    """The learner's answer as a finite or non-finite float, or None when it is not one number."""
    if isinstance(got, (bool, str)) or got is None:
        return None
    if isinstance(got, numbers.Real):
        return float(got)
    if isinstance(got, torch.Tensor) and got.numel() == 1 and not got.is_complex() and got.dtype != torch.bool:
        return float(got.detach().reshape(()))
    if type(got).__module__ == "numpy" and getattr(got, "size", 0) == 1 and getattr(got, "dtype", None) is not None \
            and got.dtype.kind in "fiu":
        return float(got.reshape(()))
    return None


def _as_number(name, got, shown, hint="return one number: a Python float or a 0-d tensor"):
    """The answer as a float; ✗ when it is not a number, or is nan or inf."""
    number = _number(got)
    if number is None:
        _fail(name, f"{shown}you returned {_show(got)} ({type(got).__name__}), not one number", hint)
    if not math.isfinite(number):
        _fail(name, f"{shown}you returned {number}", "your answer is nan or inf: look for log(0), 0/0 or exp overflow")
    return number


def _near(got, want, tol):
    """True when got is within tol of want; never true for nan (`not <=` is how nan fails)."""
    return bool(abs(got - want) <= tol)


def _tensor(name, got, shape, shown, hint):
    """The answer as a float64 tensor of the given shape; ✗ for another type or shape, or nan/inf."""
    if not isinstance(got, torch.Tensor) or got.is_complex() or tuple(got.shape) != tuple(shape):
        kind = f"a tensor of shape {tuple(got.shape)}" if isinstance(got, torch.Tensor) else _show(got)
        _fail(name, f"{shown}you returned {kind}, expected a tensor of shape {tuple(shape)}", hint)
    got = got.detach().double()
    if not torch.isfinite(got).all():
        _fail(name, f"{shown}you returned {_rounded(got)}", "some values are nan or inf: look for log(0), 0/0 or "
              "exp overflow")
    return got


def _rounded(t, digits=4):
    """A tensor's values as a short list of rounded numbers, for messages."""
    values = t.reshape(-1).tolist()
    return [round(v, digits) if math.isfinite(v) else v for v in values[:6]] + (["…"] if len(values) > 6 else [])


def _close(got, want, tol):
    """True when tensors (or numbers) agree to tol·max(1, |want|) elementwise and got is finite."""
    got, want = torch.as_tensor(got, dtype=torch.float64), torch.as_tensor(want, dtype=torch.float64)
    if got.shape != want.shape or not torch.isfinite(got).all():
        return False
    return bool(((got - want).abs() <= tol * want.abs().clamp(min=1.0)).all())


def _ignores_input(answers, wants):
    """True when the learner gave the same answer on every case although the right answers differ."""
    flat = [torch.as_tensor(a, dtype=torch.float64).reshape(-1) for a in answers]
    values = torch.cat(flat) if flat else torch.zeros(0)
    same = len(flat) > 1 and (all(f.shape == flat[0].shape and torch.equal(f, flat[0]) for f in flat)
                              or bool((values == values[0]).all()))
    distinct = {tuple(torch.as_tensor(w, dtype=torch.float64).reshape(-1).tolist()) for w in wants}
    return same and len(distinct) > 1


def _first_wrong(name, answers, wants, cases, close, describe, diagnose):
    """✗ at the first case whose answer is not close to the right one, naming the mistake; else None."""
    for i, (got, want, case) in enumerate(zip(answers, wants, cases)):
        if close(got, want):
            continue
        if i > 0 and _ignores_input(answers, wants):
            _fail(name, f"{describe(case, got, want)}", f"your function gives {_show(answers[0])} whatever its "
                  "input: it ignores its input (a hard-coded answer is right only by luck)")
        _fail(name, describe(case, got, want), diagnose(case, got, want))


def _pair(got):
    """The learner's answer as two floats (a, b), or None when it is not a pair of numbers."""
    if isinstance(got, (str, bytes, dict)) or isinstance(got, torch.Tensor) and got.numel() != 2:
        return None
    try:
        a, b = got
    except Exception:
        return None
    a, b = _number(a), _number(b)
    return None if a is None or b is None else (a, b)
