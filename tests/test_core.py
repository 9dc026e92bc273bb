"""The compiled decoding core (cchc_cli.repair._core) against the pure-Python reference (lm.py, search.py).

Unit level: the compiled score, bigram, viterbi and local_posteriors give the very same floats and choices
as the reference on real n-grams and random lattices (ties, two-syllable options, beams from none to all).
Whole engine: a sample and round-trip OCR text (three pages whole, the first lines of 27 others) repaired
through each core give the same text, edits, flags and confidences; while the pure run goes, every call is
also made in the compiled core and must answer the same.

The whole-engine tests repair a chosen part of the samples, not all five (each sample costs seconds in the
pure-Python path): sample 001, the longest, takes the engine's and the reference's code through every
branch the five samples take together but eight (branch coverage of repair/*.py, each sample measured after
the engine had repaired another text: the eight are in the reasons given to edits, the lone-capital fix and
the language model's cache flush, none of them in the compiled core), and every branch of search.py,
channel.py, lexicon.py and terms.py that the five samples take.

Those whole-engine tests, and the term-fitting ones (a sample and every round-trip page through three term
fitters), take seconds each in the reference path: they are marked slow, left out of the default run and run
by `python -m pytest -m slow` (and CI). The unit-level tests here run by default.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import ROOT, SAMPLES, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_cli.document import RepairResult
from cchc_cli.repair import channel as channel_module
from cchc_cli.repair import engine, get_repairer, search
from cchc_cli.repair.channel import POSTERIOR_FLOOR, ChannelModel, load_channel
from cchc_cli.repair.lexicon import load_lexicon
from cchc_cli.repair.lm import QSTEP, LanguageModel, load_lm
from cchc_cli.repair.terms import Option

try:
    from cchc_cli.repair import _core
except ImportError:  # not built: the tests that need it are skipped
    _core = None

needs_core = pytest.mark.skipif(
    _core is None, reason="the compiled core cchc_cli.repair._core is not built (no C compiler or Python headers "
    "when cchc was installed): only the pure-Python path exists to test")

ROUNDTRIP = ROOT / "bench" / "data" / "roundtrip"
FULL_PAGES = ("n1_0000", "n2_0001", "n3_0002")  # repaired whole: long enough for the channel to adapt
PAGE_LINES = 8  # of every other page, its first lines
ENGINE_SEED = "001_1f3803ca4a2b50d8"  # the sample repaired by both cores (see the module's docstring)


@pytest.fixture(scope="module")
def lm() -> LanguageModel:
    return load_lm()


@pytest.fixture(scope="module")
def model(lm: LanguageModel) -> Any:
    return search.compiled_model(lm)


# --- which core ----------------------------------------------------------------------------------------


def test_the_compiled_core_is_the_one_in_use_unless_pure_python_is_asked_for() -> None:
    built = "python" if _core is None else "compiled"
    expected = "python" if os.environ.get("CCHC_PURE_PYTHON") == "1" else built
    assert expected == search.CORE
    probe = "from cchc_cli.repair import search; print(search.CORE)"
    for value, core in (("1", "python"), ("0", built), ("", built)):
        env = {**os.environ, "CCHC_PURE_PYTHON": value}
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
        assert out.stdout.strip() == core, value


def test_cchc_doctor_names_the_core_in_use(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, _ = run_cli(capsysbinary, "doctor", "--json")
    assert code == 0 and json.loads(out)["repair_core"] == search.CORE
    code, out, _ = run_cli(capsysbinary, "doctor")
    assert f"repair core: {search.CORE}" in out.decode("utf-8")


@needs_core
def test_the_model_reads_the_language_models_own_arrays(lm: LanguageModel, model: Any) -> None:
    assert search.compiled_model(lm) is model  # made once
    assert model.size == len(lm.uni_logp)
    # a buffer is exported: the arrays cannot be resized (nor freed) under the compiled core
    with pytest.raises(BufferError):
        lm.bi_word.append(0)


@needs_core
def test_a_model_refuses_arrays_that_do_not_fit_together(lm: LanguageModel) -> None:
    arrays = list(lm.arrays())
    with pytest.raises(ValueError, match="lengths"):
        _core.Model(*arrays[:2], arrays[2][:-1], *arrays[3:], QSTEP, lm.bos, lm.eos)
    starts = array(arrays[2].typecode, arrays[2])
    starts[5], starts[6] = starts[6] + 1, starts[5]
    with pytest.raises(ValueError, match="bi_start"):
        _core.Model(*arrays[:2], starts, *arrays[3:], QSTEP, lm.bos, lm.eos)
    with pytest.raises(TypeError, match="bi_word"):
        _core.Model(*arrays[:3], array("d", arrays[3]), *arrays[4:], QSTEP, lm.bos, lm.eos)


# --- look-ups ------------------------------------------------------------------------------------------


def ngram_triples(lm: LanguageModel, rng: random.Random, n: int) -> Iterator[tuple[int, int, int]]:
    """(u, v, w) that hit every branch of the back-off: a stored trigram, a stored bigram (u v) with w
    backed off to a stored bigram (v w) or to unigrams, an unseen (u v)."""
    n_bigrams = len(lm.bi_word)
    for i in range(n):
        j = rng.randrange(n_bigrams)
        u = bisect_right(lm.bi_start, j) - 1  # the row that holds bigram j
        v = lm.bi_word[j]
        lo, hi = lm.tri_start[j], lm.tri_start[j + 1]
        if i % 3 == 0 and hi > lo:
            w = lm.tri_word[rng.randrange(lo, hi)]
        elif i % 3 == 1:
            w = lm.bi_word[rng.randrange(lm.bi_start[v], lm.bi_start[v + 1])] if lm.bi_start[v + 1] > lm.bi_start[
                v] else rng.randrange(lm.size)
        else:
            u, w = rng.randrange(lm.size), rng.randrange(lm.size)
        yield u, v, w


@needs_core
def test_score_and_bigram_are_the_reference_floats(lm: LanguageModel, model: Any) -> None:
    rng = random.Random(11)
    special = (lm.bos, lm.eos, lm.unk, lm.num, 0, lm.size - 1)
    triples = [*ngram_triples(lm, rng, 30_000), *((a, b, c) for a in special for b in special for c in special)]
    for u, v, w in triples:
        assert model.score(u, v, w) == lm.score(u, v, w), (u, v, w)
        assert model.bigram(v, w) == lm.bigram(v, w), (v, w)


@needs_core
def test_a_model_over_other_array_types_scores_alike(lm: LanguageModel, model: Any) -> None:
    # a rebuilt model may store wider items: every integer and float width reads as Python reads it
    codes = {"f": "d", "B": "h", "H": "i", "I": "q"}
    wider = _core.Model(*(array(codes.get(a.typecode, "Q"), a) for a in lm.arrays()), QSTEP, lm.bos, lm.eos)
    for u, v, w in ngram_triples(lm, random.Random(5), 3000):
        assert wider.score(u, v, w) == model.score(u, v, w) == lm.score(u, v, w)


@needs_core
def test_ids_outside_the_vocabulary_are_refused(lm: LanguageModel, model: Any) -> None:
    for bad in (-1, lm.size, 1 << 40):
        with pytest.raises((IndexError, OverflowError)):
            model.score(lm.bos, lm.bos, bad)
    with pytest.raises(IndexError):
        _core.viterbi([[(None, (lm.size,), 0.0)]], model, 1.0, 10.0)


@needs_core
@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(min_value=1e-300, max_value=1.0) | st.sampled_from([1.0, 1e-17, 0.5, 3e-9]),
                max_size=40))
def test_sums_are_the_builtin_sums(values: list[float]) -> None:
    # the posteriors' normaliser is added up the way this Python's sum() adds (Neumaier's from 3.12 on)
    assert _core.python_sum(values) == sum(values)


# --- the search on random lattices ---------------------------------------------------------------------


@st.composite
def lattices(draw: st.DrawFn, ids: list[int]) -> list[list[Option]]:
    """Sentences of frequent syllables (so trigrams are found), rare ones and the model's symbols; options
    of one and two syllables (now and then three), channel scores with many ties, duplicated options."""
    word = st.sampled_from(ids)
    option = st.tuples(
        st.none() | st.just("w"),
        st.lists(word, min_size=1, max_size=2).map(tuple) | st.lists(word, min_size=3, max_size=3).map(tuple),
        st.sampled_from([0.0, -1.0, -2.5, -6.0]) | st.floats(min_value=-30.0, max_value=0.0),
    )
    tokens = draw(st.lists(st.lists(option, min_size=1, max_size=7), max_size=14))
    for options in tokens:
        if len(options) > 1 and draw(st.booleans()):
            options.append(options[draw(st.integers(0, len(options) - 1))])  # an exact tie
    return tokens


def common_ids(lm: LanguageModel) -> list[int]:
    frequent = sorted(range(lm.size), key=lambda i: -lm.uni_logp[i])[:60]
    return [*frequent, *range(lm.size - 20, lm.size), lm.bos, lm.eos, lm.unk, lm.num]


@pytest.mark.slow  # 200 random lattices decoded and their posteriors taken in the reference too
@needs_core
def test_random_lattices_decode_alike(lm: LanguageModel, model: Any) -> None:
    ids = common_ids(lm)

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(lattices(ids), st.sampled_from([1.5 * math.log(10), 1.0, 0.0, 7.3]),
           st.sampled_from([10.0, 0.0, 2.5, math.inf]))
    def check(lattice: list[list[Option]], lm_weight: float, beam: float) -> None:
        choice = search.viterbi_python(lattice, lm, lm_weight, beam)
        assert _core.viterbi(lattice, model, lm_weight, beam) == choice
        flat = [lm.bos, lm.bos]
        starts = []
        for options, k in zip(lattice, choice, strict=True):
            starts.append(len(flat))
            flat.extend(options[k][1])
        flat.append(lm.eos)
        for options, k, j in zip(lattice, choice, starts, strict=True):
            for kk in {k, 0, len(options) - 1}:  # the chosen option, and others in its place
                expected = search.local_posteriors_python(lm, lm_weight, flat, j, options, kk)
                assert _core.local_posteriors(model, lm_weight, flat, j, options, kk) == expected

    check()


@needs_core
def test_degenerate_lattices_behave_alike(lm: LanguageModel, model: Any) -> None:
    assert _core.viterbi([], model, 1.0, 10.0) == search.viterbi_python([], lm, 1.0, 10.0) == []
    for lattice in ([[]], [[(None, (lm.unk,), 0.0)], []], [[], [(None, (lm.unk,), 0.0)]]):
        with pytest.raises(ValueError):
            search.viterbi_python(lattice, lm, 1.0, 10.0)
        with pytest.raises(ValueError):
            _core.viterbi(lattice, model, 1.0, 10.0)
    # a beam of NaN keeps no state: both take the first one
    lattice: list[list[Option]] = [[("a", (5,), 0.0), ("b", (6,), -1.0)], [("c", (7,), 0.0), ("d", (8, 9), 0.0)]]
    nan = float("nan")
    assert _core.viterbi(lattice, model, 1.0, nan) == search.viterbi_python(lattice, lm, 1.0, nan)
    one = [("a", (5,), 0.0)]
    assert _core.local_posteriors(model, 1.0, [lm.bos, lm.bos, 5], 2, one, 0) == [1.0]


# --- the channel model ---------------------------------------------------------------------------------


def reference_channel(channel: ChannelModel, compiled: bool = False) -> ChannelModel:
    """A channel like `channel` that computes in the reference path only (or, `compiled`, in the core)."""
    twin = ChannelModel(channel.counts, alpha=channel.alpha, rules=channel.rules, lookalikes=channel.lookalikes)
    twin._ctable = _core.EmitTable() if compiled else None
    return twin


def compiled_channel(channel: ChannelModel) -> ChannelModel:
    return reference_channel(channel, compiled=True)


def channel_pairs() -> list[tuple[str, str]]:
    """Real (observed, intended) pairs: a sample of the OCR index's entries with the syllables it lists, and
    the round-trip OCR tokens with the syllables the decoder would score for them (index and look-alikes)."""
    lexicon = load_lexicon()
    rng = random.Random(3)
    pairs: set[tuple[str, str]] = set()
    for obs in rng.sample(sorted(lexicon.raw), 1500):
        parts = lexicon.raw[obs].split("\t")
        pairs.update((obs, parts[i]) for i in range(0, len(parts) - 1, 2))
    tokens = sorted({w.lower().strip(".,;:()\"'") for path in sorted(ROUNDTRIP.glob("*.ocr.txt"))
                     for w in path.read_text("utf-8").split()} - {""})
    for obs in tokens:
        parts = lexicon.raw.get(obs, "").split("\t")
        pairs.update((obs, parts[i]) for i in range(0, len(parts) - 1, 2))
        pairs.update((obs, w) for w in lexicon.neighbours(obs)[:10])
    return sorted(pairs)


@pytest.fixture
def channel_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled core for the channels made with compiled_channel, whichever core is in use."""
    monkeypatch.setattr(channel_module, "_core", _core)


@pytest.fixture(scope="module")
def real_pairs() -> list[tuple[str, str]]:
    return channel_pairs()


@pytest.mark.slow  # over 10,000 real pairs through the reference channel, twice
@needs_core
def test_channel_probabilities_are_the_reference_floats(real_pairs: list[tuple[str, str]], channel_core: None) -> None:
    channel = compiled_channel(load_channel())
    reference = reference_channel(channel)
    assert len(real_pairs) > 10_000
    for o, g in real_pairs:
        assert channel.prob(o, g) == reference.prob(o, g) == channel.prob_python(o, g), (o, g)
    for o, g in real_pairs[::4]:
        assert channel.posteriors(o, g) == reference.posteriors(o, g) == channel.posteriors_python(o, g), (o, g)
    assert sum(channel.prob(o, g) == 0.0 for o, g in real_pairs) < len(real_pairs)


@needs_core
def test_an_adapted_channel_computes_alike(real_pairs: list[tuple[str, str]], channel_core: None) -> None:
    # a document's channel is a new model with its own table: its E-step and its probabilities, compiled,
    # are the reference's to the bit
    rep = get_repairer()
    rng = random.Random(8)
    taught = Counter(rng.sample(real_pairs, 800))
    compiled_repairer = SimpleNamespace(lexicon=SimpleNamespace(channel=compiled_channel(rep.lexicon.channel)),
                                        settings=rep.settings)
    adapted = engine.Repairer._adapted_channel(compiled_repairer, taught)  # type: ignore[arg-type]
    assert adapted.priors is compiled_repairer.lexicon.channel.priors  # prior() is the base's, memoised
    if search.CORE == "compiled":
        assert adapted._ctable is not None and adapted._ctable is not compiled_repairer.lexicon.channel._ctable
    else:
        adapted = compiled_channel(adapted)
    # the same adaptation with the reference path throughout
    pure_repairer = SimpleNamespace(lexicon=SimpleNamespace(channel=reference_channel(rep.lexicon.channel)),
                                    settings=rep.settings)
    reference = reference_channel(engine.Repairer._adapted_channel(pure_repairer, taught))  # type: ignore[arg-type]
    assert adapted.counts == reference.counts and adapted.counts != rep.lexicon.channel.counts
    for o, g in real_pairs[::3]:
        assert adapted.prob(o, g) == reference.prob(o, g), (o, g)
    for o, g in real_pairs[1::9]:
        assert adapted.posteriors(o, g) == reference.posteriors_python(o, g), (o, g)


@needs_core
def test_the_emission_table_asks_each_pair_once() -> None:
    channel = load_channel()
    fresh = ChannelModel(channel.counts, rules=channel.rules, lookalikes=channel.lookalikes)
    asked: list[tuple[str, str]] = []

    def emit(c: str, seg: str) -> float:
        asked.append((c, seg))
        return fresh.emit(c, seg)

    table = _core.EmitTable()
    assert _core.channel_prob(table, emit, "vi$t", "việt") == fresh.prob_python("vi$t", "việt")
    assert len(asked) == len(set(asked)) == table.size == table.misses
    n = len(asked)
    assert _core.channel_prob(table, emit, "vi$t", "việt") == fresh.prob_python("vi$t", "việt")
    assert len(asked) == n  # all kept


@needs_core
def test_a_table_made_with_the_models_spec_computes_its_pairs_itself() -> None:
    # the compiled core computes emit(c, seg) from the model's counts, rules and prior (the same floats as
    # the reference), asking the model only for characters its counts and rules never name
    channel = load_channel()
    fresh = ChannelModel(channel.counts, rules=channel.rules, lookalikes=channel.lookalikes)
    spec = fresh.emit_spec()
    named = {entry[0] for entry in spec[-1]}
    asked: list[tuple[str, str]] = []

    def emit(c: str, seg: str) -> float:
        asked.append((c, seg))
        return fresh.emit(c, seg)

    table = _core.EmitTable(spec)
    lexicon = load_lexicon()
    words = [*lexicon.ranked[:400:7], "được", "người", "a-b", "x😀"]
    for obs in [*list(lexicon.raw)[:3000:50], "dw¢c", "ngw¢i", "giffa", "vi$t", "", "a😀"]:
        expected = fresh.logprobs_python(obs, words)
        assert _core.channel_logprobs(table, emit, obs, words) == expected, obs
        assert [_core.channel_prob(table, emit, obs, w) for w in words] == [fresh.prob_python(obs, w)
                                                                           for w in words], obs
    assert table.computed > 1000 and table.misses == len(asked) > 0
    assert {c for c, _ in asked} <= {"-", "x", "😀"} - named
    with pytest.raises(TypeError):
        _core.EmitTable((1.0, 2.0))
    with pytest.raises(TypeError):
        _core.channel_logprobs(table, emit, "ab", ("a", "b"))


@needs_core
def test_channel_edge_cases_compute_alike(channel_core: None) -> None:
    channel = compiled_channel(load_channel())
    reference = reference_channel(channel)
    long_obs = "nghieng" * 12  # beyond the core's stack buffers
    cases = [("", ""), ("", "a"), ("a", ""), ("abc", ""), ("", "nghiêng"), ("𝔞b", "ab"), ("a😀", "ă"),
             (long_obs, "nghiêng" * 11), ("nghieng", long_obs), ("tt", "t"), ("ñ", "n")]
    for o, g in cases:
        assert channel.prob(o, g) == reference.prob(o, g), (o, g)
        assert channel.posteriors(o, g) == reference.posteriors(o, g), (o, g)
    with pytest.raises(TypeError):
        _core.channel_prob(channel._ctable, channel.emit, b"ab", "ab")
    with pytest.raises(TypeError):
        _core.channel_prob(object(), channel.emit, "ab", "ab")

    def broken(c: str, seg: str) -> float:
        raise KeyError(seg)

    with pytest.raises(KeyError):
        _core.channel_prob(_core.EmitTable(), broken, "ab", "ab")
    with pytest.raises(KeyError):
        _core.channel_posteriors(_core.EmitTable(), broken, "ab", "ab", POSTERIOR_FLOOR)


def test_the_channel_computes_in_the_core_in_use() -> None:
    probe = "from cchc_cli.repair.channel import load_channel; print(load_channel()._ctable is None)"
    for value, pure in (("1", True), ("", _core is None)):
        env = {**os.environ, "CCHC_PURE_PYTHON": value}
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
        assert out.stdout.strip() == str(pure), value


# --- the whole engine ----------------------------------------------------------------------------------


def roundtrip_texts() -> list[str]:
    texts = []
    for path in sorted(ROUNDTRIP.glob("*.ocr.txt")):
        text = path.read_text("utf-8")
        texts.append(text if path.name.split(".")[0] in FULL_PAGES else "\n".join(text.splitlines()[:PAGE_LINES]))
    return texts


def run_engine(texts: list[str], viterbi: Callable, posteriors: Callable, monkeypatch: pytest.MonkeyPatch
               ) -> tuple[list[dict], list[list[tuple[int, int, str, float]]]]:
    """Each text's result (as a dict) and its tokens' (line, column, reading, confidence), with the engine's
    candidate caches cold."""
    rep = get_repairer()
    confidences: list[tuple[int, int, str, float]] = []
    set_word = engine.Repairer._set_word

    def recording(self: engine.Repairer, tok: engine.Token, word: str, conf: float) -> None:
        confidences.append((tok.line, tok.start, word, conf))
        set_word(self, tok, word, conf)

    with monkeypatch.context() as patch:
        patch.setattr(engine, "viterbi", viterbi)
        patch.setattr(engine, "local_posteriors", posteriors)
        patch.setattr(engine.Repairer, "_set_word", recording)
        rep._cands.clear()
        rep._vie_cands.clear()
        results, per_text = [], []
        for text in texts:
            confidences.clear()
            results.append(rep.repair_text(text).to_dict())
            per_text.append(list(confidences))
    return results, per_text


class Shadow:
    """The reference functions, for the engine in the pure run: each call is made in the compiled core too,
    and must give the same answer."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.calls = {"viterbi": 0, "posteriors": 0}

    def viterbi(self, lattice: list[list[Option]], lm: LanguageModel, lm_weight: float, beam: float) -> list[int]:
        expected = search.viterbi_python(lattice, lm, lm_weight, beam)
        assert _core.viterbi(lattice, self.model, lm_weight, beam) == expected
        self.calls["viterbi"] += 1
        return expected

    def posteriors(self, lm: LanguageModel, lm_weight: float, flat: list[int], j: int, options: list[Option],
                   k: int) -> list[float]:
        expected = search.local_posteriors_python(lm, lm_weight, flat, j, options, k)
        assert _core.local_posteriors(self.model, lm_weight, flat, j, options, k) == expected
        self.calls["posteriors"] += 1
        return expected


def compiled_functions(model: Any) -> tuple[Callable, Callable]:
    def viterbi(lattice: list[list[Option]], lm: LanguageModel, lm_weight: float, beam: float) -> list[int]:
        return _core.viterbi(lattice, model, lm_weight, beam)

    def posteriors(lm: LanguageModel, lm_weight: float, flat: list[int], j: int, options: list[Option],
                   k: int) -> list[float]:
        return _core.local_posteriors(model, lm_weight, flat, j, options, k)

    return viterbi, posteriors


@pytest.mark.slow  # the reference decodes a whole sample: seconds
@needs_core
def test_the_samples_repair_alike_in_both_cores(model: Any, repaired_samples: dict[str, RepairResult],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # the session's repairs of the samples ran in the core in use; here the reference runs one of them again
    # (ENGINE_SEED, with splits, foreign sentences and adaptation), and each of its Viterbi searches and
    # posteriors is also asked of the compiled core, which must give the same floats (so the confidences,
    # before their rounding in the edits, are the same too)
    shadow = Shadow(model)
    seeds = (ENGINE_SEED,)
    texts = [(SAMPLES / f"{seed}.txt").read_text("utf-8") for seed in seeds]
    pure, _ = run_engine(texts, shadow.viterbi, shadow.posteriors, monkeypatch)
    assert shadow.calls["viterbi"] > 500 and shadow.calls["posteriors"] > 7000, shadow.calls  # 588, 8354
    for seed, b in zip(seeds, pure, strict=True):
        a = repaired_samples[seed].to_dict()
        assert a["text"] == b["text"], seed
        assert a["edits"] == b["edits"], seed
        assert a["flags"] == b["flags"], seed
    assert sum(len(r["edits"]) for r in pure) > 5000


@pytest.mark.slow  # the reference decodes 30 round-trip pages
@needs_core
def test_roundtrip_ocr_text_repairs_alike_in_both_cores(model: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = roundtrip_texts()
    assert len(texts) == 30 and sum(len(t.splitlines()) for t in texts) > 300
    compiled, compiled_conf = run_engine(texts, *compiled_functions(model), monkeypatch)
    shadow = Shadow(model)
    pure, pure_conf = run_engine(texts, shadow.viterbi, shadow.posteriors, monkeypatch)
    for i, (a, b) in enumerate(zip(compiled, pure, strict=True)):
        assert (a["text"], a["edits"], a["flags"]) == (b["text"], b["edits"], b["flags"]), i
        assert len(compiled_conf[i]) == len(pure_conf[i]) > 0, i
        for x, y in zip(compiled_conf[i], pure_conf[i], strict=True):
            assert x[:3] == y[:3] and abs(x[3] - y[3]) <= 1e-6, (i, x, y)
    assert sum(len(r["edits"]) for r in compiled) > 300


@pytest.mark.slow  # 30 pages repaired twice, the second time with the reference channel
@needs_core
def test_the_engines_channel_calls_are_the_reference_ones(channel_core: None, monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    # round-trip OCR text repaired with every channel probability and E-step posterior of the engine (the
    # base channel's and each document's adapted one) computed both ways: the same floats, the same repairs
    texts = roundtrip_texts()
    rep = get_repairer()
    calls = {"prob": 0, "logprobs": 0, "posteriors": 0}
    prob, logprobs, posteriors = ChannelModel.prob, ChannelModel.logprobs, ChannelModel.posteriors

    def shadow_prob(self: ChannelModel, observed: str, intended: str) -> float:
        expected = self.prob_python(observed, intended)
        table = self._ctable if self._ctable is not None else _core.EmitTable()
        assert _core.channel_prob(table, self._emission, observed, intended) == expected, (observed, intended)
        calls["prob"] += 1
        return expected

    def shadow_logprobs(self: ChannelModel, observed: str, words: list[str]) -> list[float]:
        expected = self.logprobs_python(observed, words)
        table = self._ctable if self._ctable is not None else _core.EmitTable()
        assert _core.channel_logprobs(table, self._emission, observed, words) == expected, (observed, words)
        calls["logprobs"] += len(words)
        return expected

    def shadow_posteriors(self: ChannelModel, o: str, g: str) -> tuple[tuple[str, str, float], ...]:
        expected = self.posteriors_python(o, g)
        table = self._ctable if self._ctable is not None else _core.EmitTable()
        assert _core.channel_posteriors(table, self._emission, o, g, POSTERIOR_FLOOR) == expected, (o, g)
        calls["posteriors"] += 1
        return expected

    rep.lexicon._parsed.clear()
    compiled, _ = run_engine(texts, search.viterbi, search.local_posteriors, monkeypatch)
    with monkeypatch.context() as patch:
        patch.setattr(ChannelModel, "prob", shadow_prob)
        patch.setattr(ChannelModel, "logprobs", shadow_logprobs)
        patch.setattr(ChannelModel, "posteriors", shadow_posteriors)
        rep.lexicon._parsed.clear()
        pure, _ = run_engine(texts, search.viterbi, search.local_posteriors, monkeypatch)
    assert calls["logprobs"] > 2000 and calls["posteriors"] > 400, calls
    for i, (a, b) in enumerate(zip(compiled, pure, strict=True)):
        assert (a["text"], a["edits"], a["flags"]) == (b["text"], b["edits"], b["flags"]), i
    assert (prob, logprobs, posteriors) == (ChannelModel.prob, ChannelModel.logprobs, ChannelModel.posteriors)


# --- term fitting ----------------------------------------------------------------------------------------

USER_TERMS = """version: 1
terms:
  - text: Trung tâm Phục vụ Hành chính công
  - text: Cổng Dịch vụ công quốc gia
  - text: Nộp hồ sơ trực tiếp
  - text: Thủ tướng Chính phủ
  - text: Tổ hòa giải thôn Đông
  - text: Bạch Long Vĩ
"""


def term_texts(seed: str) -> list[str]:
    """A sample and every round-trip OCR page, whole. (Any one sample takes terms.py through every branch the
    five take together, with and without USER_TERMS, but for one early return of _fit_user that only sample
    001 takes, with USER_TERMS.)"""
    return [(SAMPLES / f"{seed}.txt").read_text("utf-8")] + [p.read_text("utf-8")
                                                             for p in sorted(ROUNDTRIP.glob("*.ocr.txt"))]


def same_options(a: list[list[Option]], b: list[list[Option]]) -> bool:
    """The same options in the same order, with the same floats (as repr tells them apart: -0.0 and 0.0
    differ) and ids."""
    if a != b:  # == takes NaN for unequal to itself: then as printed
        return [[repr(o) for o in options] for options in a] == [[repr(o) for o in options] for options in b]
    # == takes -0.0 for 0.0 (and 0 for 0.0): the floats' signs and types too
    return ([[(type(o[2]), math.copysign(1.0, o[2])) for o in options] for options in a]
            == [[(type(o[2]), math.copysign(1.0, o[2])) for o in options] for options in b])


def fit_terms_both_ways(resources: Any, seed: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Repair the texts with every TermFitter.apply of the engine made three times, on copies of the
    lattice: by the method in use (the compiled core's, when it is built), by the pure-Python one
    (TermFitter.apply_python) and by the first implementation (TermFitter.apply_unindexed). The options
    (their order, floats and ids) and the boosted pairs must be the same."""
    from cchc_cli.repair.terms import TermFitter

    apply, fit_user = TermFitter.apply, TermFitter._fit_user
    counts = {"calls": 0, "boosted": 0, "user_fits": 0}

    def shadow(self: TermFitter, words: list[str | None], lattice: list[list[Option]]) -> set[tuple[int, str]]:
        first = [list(options) for options in lattice]
        python = [list(options) for options in lattice]
        expected = TermFitter.apply_unindexed(self, words, first)
        assert TermFitter.apply_python(self, words, python) == expected, words
        assert same_options(python, first), words
        boosted = apply(self, words, lattice)
        assert boosted == expected, words
        assert same_options(lattice, first), words
        counts["calls"] += 1
        counts["boosted"] += len(boosted)
        return boosted

    def counting_fit_user(self: TermFitter, *args: Any) -> list[float] | None:
        lps = fit_user(self, *args)
        counts["user_fits"] += lps is not None
        return lps

    rep = get_repairer(resources)
    rep.term_fitter._logprob.clear()
    with monkeypatch.context() as patch:
        patch.setattr(TermFitter, "apply", shadow)
        patch.setattr(TermFitter, "_fit_user", counting_fit_user)
        for text in term_texts(seed):
            rep.repair_text(text)
    return counts


@pytest.mark.slow  # a sample and 30 pages repaired with three term fitters each
def test_term_fitting_is_the_reference_with_the_builtin_terms(monkeypatch: pytest.MonkeyPatch) -> None:
    counts = fit_terms_both_ways(None, "000_8c0715b9867aa8fa", monkeypatch)
    # (1783 calls, 9698 pairs boosted)
    assert counts["calls"] > 1500 and counts["boosted"] > 8000 and counts["user_fits"] == 0, counts


@pytest.mark.slow  # the same with a user dictionary (its own engine loaded)
def test_term_fitting_is_the_reference_with_a_user_dictionary(tmp_path: Any, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    from cchc_cli.resources import load_resources

    mine = tmp_path / "mine.yaml"
    mine.write_text(USER_TERMS, "utf-8")
    counts = fit_terms_both_ways(load_resources([mine]), ENGINE_SEED, monkeypatch)
    # (2112 calls, 12808 pairs boosted, 93 user fits)
    assert counts["calls"] > 1800 and counts["boosted"] > 10_000 and counts["user_fits"] > 60, counts


def test_term_fitting_runs_in_the_core_in_use_and_not_in_a_core_without_it(monkeypatch: pytest.MonkeyPatch
                                                                           ) -> None:
    from cchc_cli.repair import terms

    in_use = get_repairer().term_fitter._core
    assert (in_use is not None) == (search.CORE == "compiled" and hasattr(_core, "term_fit"))
    probe = "from cchc_cli.repair import terms; print(terms._term_core() is not None)"
    for value, compiled in (("1", False), ("", _core is not None)):
        env = {**os.environ, "CCHC_PURE_PYTHON": value}
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
        assert out.stdout.strip() == str(compiled), value
    monkeypatch.setattr(search, "_core", SimpleNamespace(viterbi=None))  # a core built before term_fit
    assert terms._term_core() is None
    monkeypatch.setattr(search, "_core", None)
    assert terms._term_core() is None


@needs_core
def test_term_fitting_edge_cases_compute_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    from cchc_cli.repair.terms import TermFitter

    fitter = get_repairer().term_fitter
    compiled = TermFitter(fitter.matcher, fitter.channel, fitter.lm, fitter.fit)
    compiled._core = _core
    reference = TermFitter(fitter.matcher, fitter.channel, fitter.lm, fitter.fit)
    reference._core = None
    lm_ids = fitter.lm.ids
    cases: list[tuple[list[str | None], list[list[Option]]]] = [
        ([], []),
        (["ủy"], [[("ủy", (lm_ids.get("ủy", 0),), 0.0)]]),
        ([None, None], [[(None, (0,), 0.0)], [(None, (0,), 0.0)]]),
        (["uy", None, "ban"], [[("ủy", (0,), -1.0)], [(None, (0,), 0.0)], [("ban", (0,), -0.5)]]),
        (["Uy", "ban", "nhan", "dan"], [[(None, (0,), -3.0), ("ủy", (0,), -1.0)], [("ban", (0,), -0.5)],
                                        [(None, (0,), -2.0)], [(None, (0,), -2.0), ("dân", (0,), -0.25)]]),
        (["Thu", "tuong", "Chinh", "phu"], [[(None, (0,), 0.0)]] * 4),
    ]
    for words, lattice in cases:
        a = [list(options) for options in lattice]
        b = [list(options) for options in lattice]
        assert compiled.apply(words, a) == reference.apply(words, b), words
        assert same_options(a, b), words
    with pytest.raises(ValueError):
        compiled.apply(["a", "b"], [[]])
    with pytest.raises(TypeError):
        compiled.apply(["ủy", "ban"], [[("ủy", (0,))], [("ban", (0,), 0.0)]])
