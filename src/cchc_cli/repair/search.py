"""The search over a sentence's candidate lattice: Viterbi under the trigram model, then each choice's share
among its token's options with both neighbours fixed (the confidence, and one ICM step).

Two cores compute the same numbers: the compiled one (``_core.c``, a C extension built at install) and the
pure-Python reference implementation below (:func:`viterbi_python`, :func:`local_posteriors_python`).
:func:`viterbi` and :func:`local_posteriors` use the compiled core when it was built and ``CCHC_PURE_PYTHON``
is not ``1`` (read once, at import); :data:`CORE` says which ("compiled" or "python").
"""

from __future__ import annotations

import math
import os
from types import ModuleType
from typing import Any

from .lm import QSTEP, LanguageModel
from .terms import Option

# Scores below any real path: the start of a maximisation.
_NEG_INF = -1e300


def _load_core() -> ModuleType | None:
    if os.environ.get("CCHC_PURE_PYTHON") == "1":
        return None
    try:
        from . import _core
    except ImportError:  # not built (no C compiler at install): the reference path
        return None
    return _core


_core = _load_core()
CORE = "python" if _core is None else "compiled"


def compiled_model(lm: LanguageModel) -> Any:
    """The compiled core's Model over `lm`'s arrays (made once per language model; needs the extension)."""
    model = lm.compiled
    if model is None:
        from . import _core as core

        model = lm.compiled = core.Model(*lm.arrays(), QSTEP, lm.bos, lm.eos)
    return model


def viterbi(lattice: list[list[Option]], lm: LanguageModel, lm_weight: float, beam: float) -> list[int]:
    """The index of the best option of each token (:func:`viterbi_python`, in the core in use)."""
    if _core is None:
        return viterbi_python(lattice, lm, lm_weight, beam)
    return _core.viterbi(lattice, lm.compiled or compiled_model(lm), lm_weight, beam)


def local_posteriors(lm: LanguageModel, lm_weight: float, flat: list[int], j: int, options: list[Option],
                     k: int) -> list[float]:
    """P(each option | the chosen neighbours) (:func:`local_posteriors_python`, in the core in use)."""
    if _core is None:
        return local_posteriors_python(lm, lm_weight, flat, j, options, k)
    return _core.local_posteriors(lm.compiled or compiled_model(lm), lm_weight, flat, j, options, k)


def viterbi_python(lattice: list[list[Option]], lm: LanguageModel, lm_weight: float, beam: float) -> list[int]:
    """The index of the best option of each token: Viterbi over the previous option, the syllable before it
    coming from that option's best path (trigram scores with a bigram-sized state: K x K language-model
    lookups per token). `lm_weight` multiplies log10 scores; states more than `beam` below the best are
    dropped (they seldom win once the next LM score is added)."""
    score = lm.score
    cache = lm.cache
    vsize = lm.size
    bos = lm.bos
    states: list[tuple[float, int, int, int]] = [(0.0, -1, bos, bos)]  # (score, back, u, v)
    backs: list[list[tuple[float, int, int, int]]] = []
    for options in lattice:
        cur: list[tuple[float, int, int, int]] = []
        floor = max(st[0] for st in states) - beam
        live = [(si, st[0], st[2], st[3]) for si, st in enumerate(states) if st[0] >= floor]
        for _w, wids, ch in options:
            best = _NEG_INF
            arg = 0
            last = wids[-1]
            for si, sc, u, v in live:
                if len(wids) == 1:
                    x = cache.get((u * vsize + v) * vsize + last)
                    if x is None:
                        x = score(u, v, last)
                else:
                    x = score(u, v, wids[0]) + score(v, wids[0], wids[1])
                x = sc + lm_weight * x
                if x > best:
                    best, arg = x, si
            prev_v = states[arg][3] if len(wids) == 1 else wids[-2]
            cur.append((best + ch, arg, prev_v, last))
        backs.append(cur)
        states = cur
    k = max(range(len(states)), key=lambda i: states[i][0] + lm_weight * score(states[i][2], states[i][3], lm.eos))
    choice: list[int] = []
    for cur in reversed(backs):
        choice.append(k)
        k = cur[k][1]
    choice.reverse()
    return choice


def local_posteriors_python(lm: LanguageModel, lm_weight: float, flat: list[int], j: int, options: list[Option],
                            k: int) -> list[float]:
    """P(each option | the chosen neighbours): a softmax over the options' local scores. `flat` holds the
    LM ids of the chosen path (two <s> first), `j` where option `k` of this token starts in it."""
    if len(options) == 1:
        return [1.0]
    score = lm.score
    n_chosen = len(options[k][1])
    left = flat[j - 2 : j]
    right = flat[j + n_chosen : j + n_chosen + 2]
    cache = lm.cache
    size = lm.size
    scores = []
    for _w, wids, ch in options:
        ctx = [*left, *wids, *right]
        sc = ch
        for t in range(2, len(ctx)):
            a, b, c = ctx[t - 2], ctx[t - 1], ctx[t]
            x = cache.get((a * size + b) * size + c)
            sc += lm_weight * (score(a, b, c) if x is None else x)
        scores.append(sc)
    m = max(scores)
    exps = [math.exp(x - m) for x in scores]
    z = sum(exps)
    return [x / z for x in exps]
