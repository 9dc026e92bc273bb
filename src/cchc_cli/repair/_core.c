/* cchc_cli.repair._core: the compiled decoding core (plain C through the CPython API).
 *
 * The same computations as the reference implementation in lm.py (LanguageModel.score, .bigram),
 * search.py (viterbi, local_posteriors), channel.py (ChannelModel.prob_python, .posteriors_python) and
 * terms.py (TermFitter.apply_python's search for built-in phrases). The language model is read over its own
 * typed arrays: a Model takes a buffer view of each `array` (no copy) and reads them in place. Every floating-point operation is the one Python does, in the same order, in
 * double precision (the build turns off fused multiply-add contraction, which would round differently), so
 * both cores give the same numbers bit for bit. The sums that Python makes with the built-in sum() (the
 * posteriors' exponentials, the channel's backward terms) are made the way the running Python's sum() does
 * them (plain additions before 3.12, Neumaier's compensated summation from 3.12 on).
 *
 * Differences, by design: an LM id outside [0, vocabulary size) raises IndexError here (Python would wrap a
 * negative id round); a Model refuses arrays whose lengths or row starts do not fit together.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>

/* ---- typed columns ---------------------------------------------------------------------------------- */

enum kind { K_U8, K_U16, K_U32, K_U64, K_I8, K_I16, K_I32, K_I64, K_F32, K_F64 };

typedef struct {
    Py_buffer view;
    const char *data;
    Py_ssize_t len;
    enum kind kind;
    int held; /* view must be released */
} Column;

static int
kind_of(const char *format, Py_ssize_t itemsize, enum kind *out)
{
    if (format == NULL) {
        format = "B";
    }
    if (*format == '@' || *format == '=' || *format == '<') {
        /* '<' is native only on a little-endian machine */
        if (*format == '<' && PY_BIG_ENDIAN) {
            return -1;
        }
        format++;
    }
    if (format[0] == '\0' || format[1] != '\0') {
        return -1;
    }
    char c = format[0];
    int is_signed;
    switch (c) {
    case 'f': case 'd':
        if ((c == 'f' && itemsize != 4) || (c == 'd' && itemsize != 8)) {
            return -1;
        }
        *out = c == 'f' ? K_F32 : K_F64;
        return 0;
    case 'b': case 'h': case 'i': case 'l': case 'q':
        is_signed = 1;
        break;
    case 'B': case 'H': case 'I': case 'L': case 'Q':
        is_signed = 0;
        break;
    default:
        return -1;
    }
    switch (itemsize) {
    case 1: *out = is_signed ? K_I8 : K_U8; return 0;
    case 2: *out = is_signed ? K_I16 : K_U16; return 0;
    case 4: *out = is_signed ? K_I32 : K_U32; return 0;
    case 8: *out = is_signed ? K_I64 : K_U64; return 0;
    default: return -1;
    }
}

static int
column_open(Column *col, PyObject *obj, const char *name, int integers_only)
{
    if (PyObject_GetBuffer(obj, &col->view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return -1;
    }
    col->held = 1;
    if (col->view.ndim != 1 || kind_of(col->view.format, col->view.itemsize, &col->kind) < 0
        || (integers_only && (col->kind == K_F32 || col->kind == K_F64))) {
        PyErr_Format(PyExc_TypeError, "%s: a one-dimensional array of %s expected (format %s)", name,
                     integers_only ? "integers" : "numbers",
                     col->view.format ? col->view.format : "B");
        return -1;
    }
    col->data = (const char *)col->view.buf;
    col->len = col->view.shape ? col->view.shape[0] : col->view.len / col->view.itemsize;
    return 0;
}

static void
column_close(Column *col)
{
    if (col->held) {
        PyBuffer_Release(&col->view);
        col->held = 0;
    }
}

static inline long long
col_int(const Column *c, Py_ssize_t i)
{
    switch (c->kind) {
    case K_U8: return ((const uint8_t *)c->data)[i];
    case K_U16: return ((const uint16_t *)c->data)[i];
    case K_U32: return ((const uint32_t *)c->data)[i];
    case K_U64: return (long long)((const uint64_t *)c->data)[i];
    case K_I8: return ((const int8_t *)c->data)[i];
    case K_I16: return ((const int16_t *)c->data)[i];
    case K_I32: return ((const int32_t *)c->data)[i];
    case K_I64: return ((const int64_t *)c->data)[i];
    default: return 0; /* not reached: index columns are integers */
    }
}

/* The value as Python sees it (an array item becomes an int or a float), as a double. */
static inline double
col_num(const Column *c, Py_ssize_t i)
{
    switch (c->kind) {
    case K_F32: return (double)((const float *)c->data)[i];
    case K_F64: return ((const double *)c->data)[i];
    default: return (double)col_int(c, i);
    }
}

/* bisect.bisect_left(words, w, lo, hi), then the index if words[index] == w, else -1 (lm.py's
 * _bigram_index and the trigram lookup). The same halving as the bisect module. */
#define BISECT(T)                                                              \
    do {                                                                       \
        const T *a = (const T *)words->data;                                   \
        while (lo < hi) {                                                      \
            Py_ssize_t mid = (Py_ssize_t)(((size_t)lo + (size_t)hi) / 2);     \
            if ((long long)a[mid] < (long long)w) {                            \
                lo = mid + 1;                                                  \
            }                                                                  \
            else {                                                             \
                hi = mid;                                                      \
            }                                                                  \
        }                                                                      \
        return (lo < end && (long long)a[lo] == (long long)w) ? lo : -1;      \
    } while (0)

static inline Py_ssize_t
find(const Column *words, Py_ssize_t lo, Py_ssize_t hi, long w)
{
    Py_ssize_t end = hi;
    /* a word column's items are ids (checked when the Model is made), so exact as long long */
    switch (words->kind) {
    case K_U8: BISECT(uint8_t);
    case K_U16: BISECT(uint16_t);
    case K_U32: BISECT(uint32_t);
    case K_U64: BISECT(uint64_t);
    case K_I8: BISECT(int8_t);
    case K_I16: BISECT(int16_t);
    case K_I32: BISECT(int32_t);
    case K_I64: BISECT(int64_t);
    default: return -1;
    }
}

/* ---- the model ---------------------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    Column uni_logp, uni_bow, bi_start, bi_word, bi_logp, bi_bow, tri_start, tri_word, tri_logp;
    double qstep;
    long size; /* ids are 0 .. size-1 */
    long bos, eos;
} Model;

static inline double
bigram(const Model *m, long v, long w)
{
    Py_ssize_t j = find(&m->bi_word, (Py_ssize_t)col_int(&m->bi_start, v),
                        (Py_ssize_t)col_int(&m->bi_start, v + 1), w);
    if (j >= 0) {
        return -col_num(&m->bi_logp, j) / m->qstep;
    }
    return col_num(&m->uni_bow, v) + col_num(&m->uni_logp, w);
}

/* log10 P(w | u v), as LanguageModel.score. */
static inline double
score(const Model *m, long u, long v, long w)
{
    Py_ssize_t j = find(&m->bi_word, (Py_ssize_t)col_int(&m->bi_start, u),
                        (Py_ssize_t)col_int(&m->bi_start, u + 1), v);
    if (j >= 0) {
        Py_ssize_t k = find(&m->tri_word, (Py_ssize_t)col_int(&m->tri_start, j),
                            (Py_ssize_t)col_int(&m->tri_start, j + 1), w);
        if (k >= 0) {
            return -col_num(&m->tri_logp, k) / m->qstep;
        }
        return -col_num(&m->bi_bow, j) / m->qstep + bigram(m, v, w);
    }
    return bigram(m, v, w);
}

static int
check_starts(const Column *starts, Py_ssize_t limit, const char *name)
{
    long long prev = 0;
    for (Py_ssize_t i = 0; i < starts->len; i++) {
        long long x = col_int(starts, i);
        if (x < prev || x > limit) {
            PyErr_Format(PyExc_ValueError, "%s: item %zd (%lld) is not a row start in 0..%zd, ascending", name,
                         i, x, limit);
            return -1;
        }
        prev = x;
    }
    return 0;
}

static int
check_words(const Column *words, long size, const char *name)
{
    for (Py_ssize_t i = 0; i < words->len; i++) {
        long long x = col_int(words, i);
        if (x < 0 || x >= size) {
            PyErr_Format(PyExc_ValueError, "%s: item %zd (%lld) is not an id in 0..%ld", name, i, x, size - 1);
            return -1;
        }
    }
    return 0;
}

static void
Model_dealloc(Model *self)
{
    Column *cols[] = {&self->uni_logp, &self->uni_bow, &self->bi_start, &self->bi_word, &self->bi_logp,
                      &self->bi_bow, &self->tri_start, &self->tri_word, &self->tri_logp};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        column_close(cols[i]);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
model_check(Model *self)
{
    Py_ssize_t n_bi = self->bi_word.len, n_tri = self->tri_word.len;
    if (self->uni_logp.len < 1 || self->uni_logp.len > LONG_MAX - 1 || self->uni_bow.len != self->uni_logp.len
        || self->bi_start.len != self->uni_logp.len + 1 || self->bi_logp.len != n_bi || self->bi_bow.len != n_bi
        || self->tri_start.len != n_bi + 1 || self->tri_logp.len != n_tri) {
        PyErr_SetString(PyExc_ValueError,
                        "model arrays of inconsistent lengths (uni_* n, bi_start n+1, bi_* m, tri_start m+1, "
                        "tri_* equal)");
        return -1;
    }
    self->size = (long)self->uni_logp.len;
    if (check_starts(&self->bi_start, n_bi, "bi_start") < 0 || check_starts(&self->tri_start, n_tri, "tri_start") < 0
        || check_words(&self->bi_word, self->size, "bi_word") < 0
        || check_words(&self->tri_word, self->size, "tri_word") < 0) {
        return -1;
    }
    if (self->bos < 0 || self->bos >= self->size || self->eos < 0 || self->eos >= self->size) {
        PyErr_SetString(PyExc_ValueError, "bos and eos must be ids of the vocabulary");
        return -1;
    }
    if (!(self->qstep > 0.0)) {
        PyErr_SetString(PyExc_ValueError, "qstep must be positive");
        return -1;
    }
    return 0;
}

static PyObject *
Model_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"uni_logp", "uni_bow", "bi_start", "bi_word", "bi_logp", "bi_bow", "tri_start",
                            "tri_word", "tri_logp", "qstep", "bos", "eos", NULL};
    PyObject *objs[9];
    double qstep;
    long bos, eos;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOOOdll:Model", names, &objs[0], &objs[1], &objs[2],
                                     &objs[3], &objs[4], &objs[5], &objs[6], &objs[7], &objs[8], &qstep, &bos,
                                     &eos)) {
        return NULL;
    }
    Model *self = (Model *)type->tp_alloc(type, 0); /* zeroed: no column held yet */
    if (self == NULL) {
        return NULL;
    }
    Column *cols[] = {&self->uni_logp, &self->uni_bow, &self->bi_start, &self->bi_word, &self->bi_logp,
                      &self->bi_bow, &self->tri_start, &self->tri_word, &self->tri_logp};
    static const int integers_only[] = {0, 0, 1, 1, 0, 0, 1, 1, 0};
    for (int i = 0; i < 9; i++) {
        if (column_open(cols[i], objs[i], names[i], integers_only[i]) < 0) {
            Py_DECREF(self);
            return NULL;
        }
    }
    self->qstep = qstep;
    self->bos = bos;
    self->eos = eos;
    if (model_check(self) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

/* An LM id from a Python int, checked against the vocabulary. */
static int
as_id(const Model *m, PyObject *obj, long *out)
{
    long x = PyLong_AsLong(obj);
    if (x == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (x < 0 || x >= m->size) {
        PyErr_Format(PyExc_IndexError, "LM id %ld outside the vocabulary (0..%ld)", x, m->size - 1);
        return -1;
    }
    *out = x;
    return 0;
}

/* The `n` LM ids of a call's arguments into `ids`; -1 with a TypeError naming `usage` on a wrong count. */
static int
ids_of(Model *self, PyObject *const *args, Py_ssize_t nargs, Py_ssize_t n, const char *usage, long *ids)
{
    if (nargs != n) {
        PyErr_SetString(PyExc_TypeError, usage);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (as_id(self, args[i], &ids[i]) < 0) {
            return -1;
        }
    }
    return 0;
}

static PyObject *
Model_score(Model *self, PyObject *const *args, Py_ssize_t nargs)
{
    long ids[3];
    if (ids_of(self, args, nargs, 3, "score(u, v, w) takes 3 ids", ids) < 0) {
        return NULL;
    }
    return PyFloat_FromDouble(score(self, ids[0], ids[1], ids[2]));
}

static PyObject *
Model_bigram(Model *self, PyObject *const *args, Py_ssize_t nargs)
{
    long ids[2];
    if (ids_of(self, args, nargs, 2, "bigram(v, w) takes 2 ids", ids) < 0) {
        return NULL;
    }
    return PyFloat_FromDouble(bigram(self, ids[0], ids[1]));
}

static PyObject *
Model_get_size(Model *self, void *closure)
{
    return PyLong_FromLong(self->size);
}

static PyMethodDef Model_methods[] = {
    {"score", (PyCFunction)(void (*)(void))Model_score, METH_FASTCALL,
     "score(u, v, w) -> log10 P(w | u v), as LanguageModel.score"},
    {"bigram", (PyCFunction)(void (*)(void))Model_bigram, METH_FASTCALL,
     "bigram(v, w) -> log10 P(w | v), as LanguageModel.bigram"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Model_getset[] = {
    {"size", (getter)Model_get_size, NULL, "the number of ids (the unigram arrays' length)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject ModelType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cchc_cli.repair._core.Model",
    .tp_basicsize = sizeof(Model),
    .tp_dealloc = (destructor)Model_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Model(uni_logp, uni_bow, bi_start, bi_word, bi_logp, bi_bow, tri_start, tri_word, tri_logp, "
              "qstep, bos, eos)\n\nThe trigram model over the LanguageModel's own typed arrays (buffer views, no "
              "copy; the arrays stay alive, and cannot be resized, while the Model lives).",
    .tp_methods = Model_methods,
    .tp_getset = Model_getset,
    .tp_new = Model_new,
};

/* ---- sums as the built-in sum() makes them ----------------------------------------------------------- */

/* sum(xs) for a list of floats, with sum()'s start, the int 0 (0 + xs[0] is the float 0.0 + xs[0]). */
static double
python_sum(const double *xs, Py_ssize_t n)
{
    if (n == 0) {
        return 0.0;
    }
    double total = 0.0 + xs[0];
#if PY_VERSION_HEX >= 0x030C0000
    double comp = 0.0;
    for (Py_ssize_t i = 1; i < n; i++) {
        double x = xs[i];
        double t = total + x;
        if (fabs(total) >= fabs(x)) {
            comp += (total - t) + x;
        }
        else {
            comp += (x - t) + total;
        }
        total = t;
    }
    if (comp != 0.0 && isfinite(comp)) {
        total += comp;
    }
#else
    for (Py_ssize_t i = 1; i < n; i++) {
        total += xs[i];
    }
#endif
    return total;
}

static PyObject *
core_python_sum(PyObject *module, PyObject *arg)
{
    PyObject *seq = PySequence_Fast(arg, "python_sum() takes a sequence of floats");
    if (seq == NULL) {
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    double *xs = PyMem_Malloc(sizeof(double) * (size_t)(n ? n : 1));
    if (xs == NULL) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        xs[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, i));
        if (xs[i] == -1.0 && PyErr_Occurred()) {
            PyMem_Free(xs);
            Py_DECREF(seq);
            return NULL;
        }
    }
    double total = python_sum(xs, n);
    PyMem_Free(xs);
    Py_DECREF(seq);
    return PyFloat_FromDouble(total);
}

/* ---- options of the lattice --------------------------------------------------------------------------- */

/* What the search reads of one option (word, ids, channel score): its number of ids, the first two, the
 * last two, and its channel score. */
typedef struct {
    Py_ssize_t n;
    long first, second, before_last, last;
    double channel;
} Opt;

static int
read_option(const Model *m, PyObject *option, Opt *out)
{
    PyObject *tup = PySequence_Fast(option, "a lattice option is a (word, ids, score) tuple");
    if (tup == NULL) {
        return -1;
    }
    if (PySequence_Fast_GET_SIZE(tup) != 3) {
        PyErr_SetString(PyExc_ValueError, "a lattice option is a (word, ids, score) tuple");
        Py_DECREF(tup);
        return -1;
    }
    PyObject *ids = PySequence_Fast(PySequence_Fast_GET_ITEM(tup, 1), "an option's ids are a sequence");
    if (ids == NULL) {
        Py_DECREF(tup);
        return -1;
    }
    int rc = -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(ids);
    PyObject **items = PySequence_Fast_ITEMS(ids);
    out->n = n;
    if (n == 0) {
        PyErr_SetString(PyExc_IndexError, "an option with no LM ids");
        goto done;
    }
    if (as_id(m, items[n - 1], &out->last) < 0) {
        goto done;
    }
    if (n == 1) {
        out->first = out->second = out->before_last = out->last;
    }
    else if (as_id(m, items[0], &out->first) < 0 || as_id(m, items[1], &out->second) < 0
             || as_id(m, items[n - 2], &out->before_last) < 0) {
        goto done;
    }
    out->channel = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(tup, 2));
    if (out->channel == -1.0 && PyErr_Occurred()) {
        goto done;
    }
    rc = 0;
done:
    Py_DECREF(ids);
    Py_DECREF(tup);
    return rc;
}

/* ---- Viterbi ------------------------------------------------------------------------------------------ */

#define NEG_INF (-1e300) /* below any real path: the start of a maximisation (search._NEG_INF) */

typedef struct {
    double score;
    Py_ssize_t back; /* index among the previous token's states */
    long u, v;       /* the last two syllables of the state's best path */
} State;

/* The dynamic programme of search.viterbi over parsed options: `opts` holds each token's options in turn
 * (`counts[t]` of them), `states` room for one state per option after the start state. Fills `choice`. */
static void
viterbi_run(const Model *m, const Opt *opts, const Py_ssize_t *counts, Py_ssize_t n_tokens, State *states,
            Py_ssize_t *live, double lm_weight, double beam, Py_ssize_t *choice)
{
    State *prev = states; /* the start: (0.0, -1, <s>, <s>) */
    Py_ssize_t n_prev = 1;
    prev[0].score = 0.0;
    prev[0].back = -1;
    prev[0].u = prev[0].v = m->bos;
    const Opt *opt = opts;
    State *cur = states + 1;
    for (Py_ssize_t t = 0; t < n_tokens; t++) {
        double top = prev[0].score;
        for (Py_ssize_t si = 1; si < n_prev; si++) {
            if (prev[si].score > top) {
                top = prev[si].score;
            }
        }
        double floor = top - beam;
        Py_ssize_t n_live = 0;
        for (Py_ssize_t si = 0; si < n_prev; si++) {
            if (prev[si].score >= floor) {
                live[n_live++] = si;
            }
        }
        for (Py_ssize_t o = 0; o < counts[t]; o++, opt++) {
            double best = NEG_INF;
            Py_ssize_t arg = 0;
            for (Py_ssize_t l = 0; l < n_live; l++) {
                const State *st = &prev[live[l]];
                double x;
                if (opt->n == 1) {
                    x = score(m, st->u, st->v, opt->last);
                }
                else {
                    x = score(m, st->u, st->v, opt->first) + score(m, st->v, opt->first, opt->second);
                }
                x = st->score + lm_weight * x;
                if (x > best) {
                    best = x;
                    arg = live[l];
                }
            }
            cur[o].score = best + opt->channel;
            cur[o].back = arg;
            cur[o].u = opt->n == 1 ? prev[arg].v : opt->before_last;
            cur[o].v = opt->last;
        }
        prev = cur;
        n_prev = counts[t];
        cur += counts[t];
    }
    /* the end: the first state with the best score once </s> follows */
    Py_ssize_t k = 0;
    double best = 0.0;
    for (Py_ssize_t i = 0; i < n_prev; i++) {
        double x = prev[i].score + lm_weight * score(m, prev[i].u, prev[i].v, m->eos);
        if (i == 0 || x > best) {
            best = x;
            k = i;
        }
    }
    for (Py_ssize_t t = n_tokens - 1; t >= 0; t--) {
        choice[t] = k;
        k = prev[k].back;
        prev -= t > 0 ? counts[t - 1] : 1;
    }
}

static PyObject *
core_viterbi(PyObject *module, PyObject *args)
{
    PyObject *lattice_obj;
    Model *m;
    double lm_weight, beam;
    if (!PyArg_ParseTuple(args, "OO!dd:viterbi", &lattice_obj, &ModelType, &m, &lm_weight, &beam)) {
        return NULL;
    }
    PyObject *lattice = PySequence_Fast(lattice_obj, "the lattice is a list of lists of options");
    if (lattice == NULL) {
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t n_tokens = PySequence_Fast_GET_SIZE(lattice);
    Py_ssize_t total = 0, widest = 1;
    Opt *opts = NULL;
    State *states = NULL;
    Py_ssize_t *counts = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n_tokens ? 2 * n_tokens : 1));
    if (counts == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t *choice = counts + n_tokens;
    for (Py_ssize_t t = 0; t < n_tokens; t++) {
        Py_ssize_t n = PyObject_Length(PySequence_Fast_GET_ITEM(lattice, t));
        if (n < 0) {
            goto done;
        }
        if (n == 0) { /* Python's max() over no states */
            PyErr_SetString(PyExc_ValueError, "a token of the lattice has no options");
            goto done;
        }
        counts[t] = n;
        total += n;
        if (n > widest) {
            widest = n;
        }
    }
    opts = PyMem_Malloc(sizeof(Opt) * (size_t)(total ? total : 1));
    /* the start state, each option's state, then the live indices */
    states = PyMem_Malloc(sizeof(State) * (size_t)(total + 1) + sizeof(Py_ssize_t) * (size_t)widest);
    if (opts == NULL || states == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Opt *opt = opts;
    for (Py_ssize_t t = 0; t < n_tokens; t++) {
        PyObject *options = PySequence_Fast(PySequence_Fast_GET_ITEM(lattice, t), "a token's options are a list");
        if (options == NULL) {
            goto done;
        }
        if (PySequence_Fast_GET_SIZE(options) != counts[t]) {
            PyErr_SetString(PyExc_RuntimeError, "the lattice changed while it was read");
            Py_DECREF(options);
            goto done;
        }
        for (Py_ssize_t o = 0; o < counts[t]; o++, opt++) {
            if (read_option(m, PySequence_Fast_GET_ITEM(options, o), opt) < 0) {
                Py_DECREF(options);
                goto done;
            }
        }
        Py_DECREF(options);
    }
    Py_ssize_t *live = (Py_ssize_t *)(states + total + 1);
    Py_BEGIN_ALLOW_THREADS
    viterbi_run(m, opts, counts, n_tokens, states, live, lm_weight, beam, choice);
    Py_END_ALLOW_THREADS
    result = PyList_New(n_tokens);
    if (result == NULL) {
        goto done;
    }
    for (Py_ssize_t t = 0; t < n_tokens; t++) {
        PyObject *k = PyLong_FromSsize_t(choice[t]);
        if (k == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, t, k);
    }
done:
    PyMem_Free(states);
    PyMem_Free(opts);
    PyMem_Free(counts);
    Py_DECREF(lattice);
    return result;
}

/* ---- local posteriors --------------------------------------------------------------------------------- */

/* Up to two ids of flat[lo:hi] (Python's slice: negative bounds count from the end). */
static int
read_slice(const Model *m, PyObject *flat, Py_ssize_t lo, Py_ssize_t hi, PyObject **items, Py_ssize_t *n)
{
    PyObject *part = PySequence_GetSlice(flat, lo, hi);
    if (part == NULL) {
        return -1;
    }
    PyObject *seq = PySequence_Fast(part, "flat is a list of ids");
    Py_DECREF(part);
    if (seq == NULL) {
        return -1;
    }
    *n = PySequence_Fast_GET_SIZE(seq);
    if (*n > 2) { /* not reached: hi - lo is 2 */
        *n = 2;
    }
    for (Py_ssize_t i = 0; i < *n; i++) {
        items[i] = Py_NewRef(PySequence_Fast_GET_ITEM(seq, i));
    }
    Py_DECREF(seq);
    return 0;
}

/* The local score of one option, search.local_posteriors's inner loop: its channel score plus the weighted
 * trigram scores over left + ids + right. */
static int
local_score(const Model *m, double lm_weight, PyObject *option, PyObject *const *left, Py_ssize_t n_left,
            PyObject *const *right, Py_ssize_t n_right, double *out)
{
    PyObject *tup = PySequence_Fast(option, "a lattice option is a (word, ids, score) tuple");
    if (tup == NULL) {
        return -1;
    }
    int rc = -1;
    PyObject *ids = NULL;
    long small[64];
    long *ctx = small;
    if (PySequence_Fast_GET_SIZE(tup) != 3) {
        PyErr_SetString(PyExc_ValueError, "a lattice option is a (word, ids, score) tuple");
        goto done;
    }
    ids = PySequence_Fast(PySequence_Fast_GET_ITEM(tup, 1), "an option's ids are a sequence");
    if (ids == NULL) {
        goto done;
    }
    double sc = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(tup, 2));
    if (sc == -1.0 && PyErr_Occurred()) {
        goto done;
    }
    Py_ssize_t n_ids = PySequence_Fast_GET_SIZE(ids);
    Py_ssize_t n = n_left + n_ids + n_right;
    if (n >= 3) { /* otherwise no trigram, and the ids are not read */
        if (n > (Py_ssize_t)(sizeof small / sizeof small[0])) {
            ctx = PyMem_Malloc(sizeof(long) * (size_t)n);
            if (ctx == NULL) {
                PyErr_NoMemory();
                goto done;
            }
        }
        PyObject **items = PySequence_Fast_ITEMS(ids);
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *x = i < n_left ? left[i] : i < n_left + n_ids ? items[i - n_left] : right[i - n_left - n_ids];
            if (as_id(m, x, &ctx[i]) < 0) {
                goto done;
            }
        }
        for (Py_ssize_t t = 2; t < n; t++) {
            sc += lm_weight * score(m, ctx[t - 2], ctx[t - 1], ctx[t]);
        }
    }
    *out = sc;
    rc = 0;
done:
    if (ctx != small) {
        PyMem_Free(ctx);
    }
    Py_XDECREF(ids);
    Py_DECREF(tup);
    return rc;
}

static PyObject *
core_local_posteriors(PyObject *module, PyObject *args)
{
    Model *m;
    double lm_weight;
    PyObject *flat, *options_obj;
    Py_ssize_t j, k;
    if (!PyArg_ParseTuple(args, "O!dOnOn:local_posteriors", &ModelType, &m, &lm_weight, &flat, &j, &options_obj,
                          &k)) {
        return NULL;
    }
    Py_ssize_t n_opts = PyObject_Length(options_obj);
    if (n_opts < 0) {
        return NULL;
    }
    if (n_opts == 1) {
        return Py_BuildValue("[d]", 1.0);
    }
    PyObject *options = PySequence_Fast(options_obj, "options are a list");
    if (options == NULL) {
        return NULL;
    }
    PyObject *result = NULL, *left[2] = {NULL, NULL}, *right[2] = {NULL, NULL};
    Py_ssize_t n_left = 0, n_right = 0;
    double *scores = NULL;
    Py_ssize_t kk = k < 0 ? k + n_opts : k;
    if (kk < 0 || kk >= n_opts) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        goto done;
    }
    PyObject *chosen = PySequence_GetItem(PySequence_Fast_GET_ITEM(options, kk), 1);
    if (chosen == NULL) {
        goto done;
    }
    Py_ssize_t n_chosen = PyObject_Length(chosen);
    Py_DECREF(chosen);
    if (n_chosen < 0) {
        goto done;
    }
    if (read_slice(m, flat, j - 2, j, left, &n_left) < 0
        || read_slice(m, flat, j + n_chosen, j + n_chosen + 2, right, &n_right) < 0) {
        goto done;
    }
    scores = PyMem_Malloc(sizeof(double) * (size_t)(n_opts ? n_opts : 1));
    if (scores == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t o = 0; o < n_opts; o++) {
        if (local_score(m, lm_weight, PySequence_Fast_GET_ITEM(options, o), left, n_left, right, n_right,
                        &scores[o]) < 0) {
            goto done;
        }
    }
    double top = scores[0]; /* max(scores) */
    for (Py_ssize_t o = 1; o < n_opts; o++) {
        if (scores[o] > top) {
            top = scores[o];
        }
    }
    for (Py_ssize_t o = 0; o < n_opts; o++) {
        scores[o] = exp(scores[o] - top);
    }
    double z = python_sum(scores, n_opts);
    result = PyList_New(n_opts);
    if (result == NULL) {
        goto done;
    }
    for (Py_ssize_t o = 0; o < n_opts; o++) {
        PyObject *p = PyFloat_FromDouble(scores[o] / z);
        if (p == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, o, p);
    }
done:
    PyMem_Free(scores);
    for (int i = 0; i < 2; i++) {
        Py_XDECREF(left[i]);
        Py_XDECREF(right[i]);
    }
    Py_DECREF(options);
    return result;
}

/* ---- the OCR channel ---------------------------------------------------------------------------------- */

/* channel.py's ChannelModel.prob and .posteriors: sums over the ways to cut the observed string into the
 * segments (0 to CHANNEL_MAX_SEG characters) that the intended characters emit. An EmitTable belongs to one
 * ChannelModel: a hash from (intended character, observed segment) to ChannelModel.emit's value. It starts
 * empty; a pair it has not seen is asked of the model's emit (passed with each call, so the table holds no
 * Python object) and kept. The sums are made in the reference's order, in double precision. */

#define CHANNEL_MAX_SEG 3
#define EMIT_EMPTY UINT64_MAX

typedef struct {
    uint64_t k1; /* intended code point << 8 | segment length; EMIT_EMPTY: a free slot */
    uint64_t k2; /* the segment's code points, 21 bits each */
    double p;
} EmitSlot;

/* What ChannelModel._emission needs of one intended character: an EmitTable made with a spec computes the
 * pairs it has not seen itself, as _emission does, instead of asking emit. */
#define EMIT_LOOKS_MAX 128

typedef struct {
    Py_UCS4 cp; /* the intended character; 0: a free slot */
    Py_UCS4 base; /* strip_marks(cp), when it is one character */
    int has_base;
    int vowel; /* strip_marks(cp) in "aeiouy" */
    Py_UCS4 looks[EMIT_LOOKS_MAX]; /* its consonant look-alikes */
    Py_ssize_t nlooks;
    double looks_share; /* VOWELISH_MASS / len(looks) */
    double total; /* its learned counts' total */
    PyObject *counts; /* segment -> expected count (a dict), or NULL */
    PyObject *rules; /* segment -> hand-given share (a non-empty dict), or NULL */
    double rules_rest; /* 1 - the rules' total */
} EmitChar;

typedef struct {
    PyObject_HEAD
    EmitSlot *slots;
    size_t cap; /* a power of two */
    size_t used;
    unsigned long long misses; /* pairs asked of emit */
    unsigned long long computed; /* pairs computed from the spec */
    /* the model itself, when made with a spec (chars == NULL: every pair is asked of emit) */
    EmitChar *chars;
    size_t chars_cap; /* a power of two */
    double alpha, mix, mix_rest, len_prior[CHANNEL_MAX_SEG + 1], same_base, identity, vowel_share, other;
    Py_UCS4 vowel_looks[EMIT_LOOKS_MAX];
    Py_ssize_t nvowel_looks;
} EmitTable;

static inline size_t
emit_hash(uint64_t k1, uint64_t k2)
{
    uint64_t h = k1 * 0x9E3779B97F4A7C15ULL ^ k2;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return (size_t)h;
}

static int
emit_grow(EmitTable *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    EmitSlot *slots = PyMem_Malloc(sizeof(EmitSlot) * cap);
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < cap; i++) {
        slots[i].k1 = EMIT_EMPTY;
    }
    for (size_t i = 0; i < t->cap; i++) {
        EmitSlot *s = &t->slots[i];
        if (s->k1 != EMIT_EMPTY) {
            size_t h = emit_hash(s->k1, s->k2) & (cap - 1);
            while (slots[h].k1 != EMIT_EMPTY) {
                h = (h + 1) & (cap - 1);
            }
            slots[h] = *s;
        }
    }
    PyMem_Free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

/* A string's code points, read once. */
typedef struct {
    PyObject *str;
    Py_ssize_t len;
    Py_UCS4 small[64];
    Py_UCS4 *cp;
} CodePoints;

static int
codepoints_open(CodePoints *c, PyObject *str, const char *name)
{
    c->cp = c->small;
    c->str = str;
    if (!PyUnicode_Check(str)) {
        PyErr_Format(PyExc_TypeError, "%s must be a str, not %.100s", name, Py_TYPE(str)->tp_name);
        return -1;
    }
    c->len = PyUnicode_GET_LENGTH(str);
    if (c->len > (Py_ssize_t)(sizeof c->small / sizeof c->small[0])) {
        c->cp = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)c->len);
        if (c->cp == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    int kind = PyUnicode_KIND(str);
    const void *data = PyUnicode_DATA(str);
    for (Py_ssize_t i = 0; i < c->len; i++) {
        c->cp[i] = PyUnicode_READ(kind, data, i);
    }
    return 0;
}

static void
codepoints_close(CodePoints *c)
{
    if (c->cp != c->small) {
        PyMem_Free(c->cp);
    }
    c->cp = c->small;
}

/* Up to EMIT_LOOKS_MAX code points of a str into out; -1 with an error set when it is not one or longer. */
static int
looks_read(PyObject *str, Py_UCS4 *out, Py_ssize_t *n, const char *name)
{
    if (!PyUnicode_Check(str) || PyUnicode_GET_LENGTH(str) > EMIT_LOOKS_MAX) {
        PyErr_Format(PyExc_ValueError, "EmitTable spec: %s must be a str of at most %d characters", name,
                     EMIT_LOOKS_MAX);
        return -1;
    }
    *n = PyUnicode_GET_LENGTH(str);
    for (Py_ssize_t i = 0; i < *n; i++) {
        out[i] = PyUnicode_READ_CHAR(str, i);
    }
    return 0;
}

static inline size_t
char_hash(Py_UCS4 cp, size_t cap)
{
    return (size_t)((uint64_t)cp * 0x9E3779B97F4A7C15ULL >> 40) & (cap - 1);
}

static EmitChar *
emit_char(EmitTable *t, Py_UCS4 cp)
{
    size_t mask = t->chars_cap - 1;
    size_t h = char_hash(cp, t->chars_cap);
    while (t->chars[h].cp != 0) {
        if (t->chars[h].cp == cp) {
            return &t->chars[h];
        }
        h = (h + 1) & mask;
    }
    return NULL;
}

/* spec = (alpha, MIX, 1 - MIX, LEN_PRIOR as 4 floats, SAME_BASE, IDENTITY, VOWELISH_MASS / len(vowel looks),
 *         OTHER_CHAR, vowel looks, [(char, base, vowel, consonant looks, VOWELISH_MASS / len(them) or 0,
 *         total, counts or None, rules or None, 1 - the rules' total), ...]) */
static int
emit_spec(EmitTable *t, PyObject *spec)
{
    PyObject *len_prior, *vowel_looks, *chars;
    if (!PyTuple_Check(spec)) {
        PyErr_SetString(PyExc_TypeError, "EmitTable spec: a tuple as channel.py's ChannelModel makes it");
        return -1;
    }
    if (!PyArg_ParseTuple(spec, "dddOddddUO!;EmitTable spec: a tuple as channel.py's ChannelModel makes it",
                          &t->alpha, &t->mix, &t->mix_rest, &len_prior, &t->same_base, &t->identity,
                          &t->vowel_share, &t->other, &vowel_looks, &PyList_Type, &chars)) {
        return -1;
    }
    if (!PyTuple_Check(len_prior)
        || !PyArg_ParseTuple(len_prior, "dddd;EmitTable spec: LEN_PRIOR must be 4 floats", &t->len_prior[0],
                             &t->len_prior[1], &t->len_prior[2], &t->len_prior[3])) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "EmitTable spec: LEN_PRIOR must be a tuple of 4 floats");
        }
        return -1;
    }
    if (looks_read(vowel_looks, t->vowel_looks, &t->nvowel_looks, "the vowel looks") < 0) {
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(chars);
    size_t cap = 16;
    while (cap < 2 * (size_t)n + 1) {
        cap *= 2;
    }
    t->chars = PyMem_Calloc(cap, sizeof(EmitChar));
    if (t->chars == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    t->chars_cap = cap;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *entry = PyList_GET_ITEM(chars, i);
        PyObject *ch, *base, *looks, *counts, *rules;
        int vowel;
        double share, total, rest;
        if (!PyTuple_Check(entry)) {
            PyErr_SetString(PyExc_TypeError, "EmitTable spec: a character's entry must be a tuple");
            return -1;
        }
        if (!PyArg_ParseTuple(entry, "UUpUddOOd;EmitTable spec: a character's entry", &ch, &base, &vowel,
                              &looks, &share, &total, &counts, &rules, &rest)) {
            return -1;
        }
        if (PyUnicode_GET_LENGTH(ch) != 1 || PyUnicode_READ_CHAR(ch, 0) == 0) {
            PyErr_SetString(PyExc_ValueError, "EmitTable spec: an intended character must be one character");
            return -1;
        }
        if ((counts != Py_None && !PyDict_CheckExact(counts)) || (rules != Py_None && !PyDict_CheckExact(rules))) {
            PyErr_SetString(PyExc_TypeError, "EmitTable spec: counts and rules must be dicts or None");
            return -1;
        }
        Py_UCS4 cp = PyUnicode_READ_CHAR(ch, 0);
        if (emit_char(t, cp) != NULL) {
            PyErr_SetString(PyExc_ValueError, "EmitTable spec: an intended character is given twice");
            return -1;
        }
        size_t h = char_hash(cp, cap);
        while (t->chars[h].cp != 0) {
            h = (h + 1) & (cap - 1);
        }
        EmitChar *c = &t->chars[h];
        if (looks_read(looks, c->looks, &c->nlooks, "a character's consonant looks") < 0) {
            return -1;
        }
        c->cp = cp;
        c->has_base = PyUnicode_GET_LENGTH(base) == 1;
        c->base = c->has_base ? PyUnicode_READ_CHAR(base, 0) : 0;
        c->vowel = vowel;
        c->looks_share = share;
        c->total = total;
        if (counts != Py_None) {
            c->counts = Py_NewRef(counts);
        }
        if (rules != Py_None && PyDict_GET_SIZE(rules) > 0) {
            c->rules = Py_NewRef(rules);
        }
        c->rules_rest = rest;
    }
    return 0;
}

static void
EmitTable_dealloc(EmitTable *self)
{
    if (self->chars != NULL) {
        for (size_t i = 0; i < self->chars_cap; i++) {
            Py_XDECREF(self->chars[i].counts);
            Py_XDECREF(self->chars[i].rules);
        }
        PyMem_Free(self->chars);
    }
    PyMem_Free(self->slots);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
EmitTable_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *spec = Py_None;
    if (!PyArg_ParseTuple(args, "|O:EmitTable", &spec) || (kwds != NULL && PyDict_GET_SIZE(kwds) > 0)) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "EmitTable() takes no keyword arguments");
        }
        return NULL;
    }
    EmitTable *self = (EmitTable *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    if (emit_grow(self) < 0 || (spec != Py_None && emit_spec(self, spec) < 0)) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

/* A float of a dict by a segment's key (0.0 when absent); -1 with an error set. */
static int
dict_float(PyObject *dict, PyObject *key, double *out)
{
    PyObject *got = PyDict_GetItemWithError(dict, key);
    *out = 0.0;
    if (got == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    *out = PyFloat_AsDouble(got);
    return *out == -1.0 && PyErr_Occurred() ? -1 : 0;
}

/* ChannelModel._emission(c, seg) from the spec, the same operations in the same order: prior(), then the
 * smoothed learned share mixed with it, then the rules. */
static int
emit_compute(const EmitTable *t, const EmitChar *c, const Py_UCS4 *seg, Py_ssize_t k, double *out)
{
    double p0 = t->len_prior[k];
    for (Py_ssize_t x = 0; x < k; x++) {
        Py_UCS4 ch = seg[x];
        int in_vowels = 0, in_looks = 0;
        for (Py_ssize_t y = 0; y < t->nvowel_looks && !in_vowels; y++) {
            in_vowels = t->vowel_looks[y] == ch;
        }
        for (Py_ssize_t y = 0; y < c->nlooks && !in_looks; y++) {
            in_looks = c->looks[y] == ch;
        }
        if (c->has_base && ch == c->base) {
            p0 *= t->same_base;
        }
        else if (ch == c->cp) {
            p0 *= t->identity;
        }
        else if (c->vowel && in_vowels) {
            p0 *= t->vowel_share;
        }
        else if (in_looks) {
            p0 *= c->looks_share;
        }
        else {
            p0 *= t->other;
        }
    }
    double count = 0.0, share = 0.0;
    if (c->counts != NULL || c->rules != NULL) {
        PyObject *key = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, seg, k);
        if (key == NULL) {
            return -1;
        }
        int rc = (c->counts != NULL && dict_float(c->counts, key, &count) < 0)
                 || (c->rules != NULL && dict_float(c->rules, key, &share) < 0);
        Py_DECREF(key);
        if (rc) {
            return -1;
        }
    }
    double p = t->mix_rest * (count + t->alpha * p0) / (c->total + t->alpha) + t->mix * p0;
    if (c->rules != NULL) {
        p = c->rules_rest * p + share;
    }
    *out = p;
    return 0;
}

/* emit(intended[i], observed[j:j + k]) asked of the model's Python function. */
static int
emit_ask(PyObject *emit, const CodePoints *intended, Py_ssize_t i, const CodePoints *observed, Py_ssize_t j,
         Py_ssize_t k, double *out)
{
    PyObject *ch = PyUnicode_Substring(intended->str, i, i + 1);
    if (ch == NULL) {
        return -1;
    }
    PyObject *seg = PyUnicode_Substring(observed->str, j, j + k);
    if (seg == NULL) {
        Py_DECREF(ch);
        return -1;
    }
    PyObject *got = PyObject_CallFunctionObjArgs(emit, ch, seg, NULL);
    Py_DECREF(ch);
    Py_DECREF(seg);
    if (got == NULL) {
        return -1;
    }
    *out = PyFloat_AsDouble(got);
    Py_DECREF(got);
    return *out == -1.0 && PyErr_Occurred() ? -1 : 0;
}

/* emit(intended[i], observed[j:j + k]): from the table; else computed from the spec (when the table has one
 * and it knows the character) or asked of `emit`, and kept. */
static int
emit_get(EmitTable *t, PyObject *emit, const CodePoints *intended, Py_ssize_t i, const CodePoints *observed,
         Py_ssize_t j, Py_ssize_t k, double *out)
{
    Py_UCS4 c = intended->cp[i];
    uint64_t k1 = (uint64_t)c << 8 | (uint64_t)k;
    uint64_t k2 = 0;
    for (Py_ssize_t x = 0; x < k; x++) {
        k2 |= (uint64_t)observed->cp[j + x] << (21 * x);
    }
    size_t mask = t->cap - 1;
    size_t h = emit_hash(k1, k2) & mask;
    while (t->slots[h].k1 != EMIT_EMPTY) {
        if (t->slots[h].k1 == k1 && t->slots[h].k2 == k2) {
            *out = t->slots[h].p;
            return 0;
        }
        h = (h + 1) & mask;
    }
    double p;
    const EmitChar *known = t->chars != NULL ? emit_char(t, c) : NULL;
    if (known != NULL) {
        if (emit_compute(t, known, observed->cp + j, k, &p) < 0) {
            return -1;
        }
        t->computed++;
    }
    else {
        /* the model may run any Python code: nothing of the table is held across the call */
        if (emit_ask(emit, intended, i, observed, j, k, &p) < 0) {
            return -1;
        }
        t->misses++;
    }
    if ((t->used + 1) * 2 > t->cap && emit_grow(t) < 0) {
        return -1;
    }
    mask = t->cap - 1;
    h = emit_hash(k1, k2) & mask;
    while (t->slots[h].k1 != EMIT_EMPTY) {
        if (t->slots[h].k1 == k1 && t->slots[h].k2 == k2) { /* kept meanwhile, by a call emit made */
            t->slots[h].p = p;
            *out = p;
            return 0;
        }
        h = (h + 1) & mask;
    }
    t->slots[h].k1 = k1;
    t->slots[h].k2 = k2;
    t->slots[h].p = p;
    t->used++;
    *out = p;
    return 0;
}

static PyObject *
EmitTable_get_size(EmitTable *self, void *closure)
{
    return PyLong_FromSize_t(self->used);
}

static PyObject *
EmitTable_get_misses(EmitTable *self, void *closure)
{
    return PyLong_FromUnsignedLongLong(self->misses);
}

static PyObject *
EmitTable_get_computed(EmitTable *self, void *closure)
{
    return PyLong_FromUnsignedLongLong(self->computed);
}

static PyGetSetDef EmitTable_getset[] = {
    {"size", (getter)EmitTable_get_size, NULL, "the (intended character, segment) pairs kept", NULL},
    {"misses", (getter)EmitTable_get_misses, NULL, "the pairs asked of emit so far", NULL},
    {"computed", (getter)EmitTable_get_computed, NULL, "the pairs computed from the spec so far", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject EmitTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cchc_cli.repair._core.EmitTable",
    .tp_basicsize = sizeof(EmitTable),
    .tp_dealloc = (destructor)EmitTable_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "EmitTable(spec=None)\n\nOne ChannelModel's emission probabilities, emit(intended char, segment), "
              "kept as channel_prob and channel_posteriors ask for them: computed from the model's spec (as "
              "ChannelModel.emit_spec makes it) for the characters it gives, asked of emit for the others.",
    .tp_getset = EmitTable_getset,
    .tp_new = EmitTable_new,
};

static inline Py_ssize_t
seg_limit(Py_ssize_t m, Py_ssize_t j)
{
    return m - j < CHANNEL_MAX_SEG ? m - j : CHANNEL_MAX_SEG;
}

/* P(observed | intended) by the forward algorithm, into *out; -1 with an error set. */
static int
channel_forward(EmitTable *t, PyObject *emit, const CodePoints *obs, const CodePoints *intended, double *out)
{
    double small[2 * 64];
    double *prev = small, *cur;
    int rc = -1;
    Py_ssize_t m = obs->len;
    if (2 * (m + 1) > (Py_ssize_t)(sizeof small / sizeof small[0])) {
        prev = PyMem_Malloc(sizeof(double) * 2 * (size_t)(m + 1));
        if (prev == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    double *base = prev;
    cur = prev + (m + 1);
    for (Py_ssize_t j = 0; j <= m; j++) {
        prev[j] = 0.0;
    }
    prev[0] = 1.0;
    for (Py_ssize_t i = 0; i < intended->len; i++) {
        for (Py_ssize_t j = 0; j <= m; j++) {
            cur[j] = 0.0;
        }
        for (Py_ssize_t j = 0; j <= m; j++) {
            double pj = prev[j];
            if (pj == 0.0) {
                continue;
            }
            Py_ssize_t top = seg_limit(m, j);
            for (Py_ssize_t k = 0; k <= top; k++) {
                double e;
                if (emit_get(t, emit, intended, i, obs, j, k, &e) < 0) {
                    goto done;
                }
                cur[j + k] += pj * e;
            }
        }
        double *swap = prev;
        prev = cur;
        cur = swap;
    }
    *out = prev[m];
    rc = 0;
done:
    if (base != small) {
        PyMem_Free(base);
    }
    return rc;
}

static PyObject *
core_channel_prob(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyObject_TypeCheck(args[0], &EmitTableType)) {
        PyErr_SetString(PyExc_TypeError, "channel_prob(table, emit, observed, intended) takes an EmitTable, "
                                         "the model's emit and two str");
        return NULL;
    }
    CodePoints obs, intended;
    if (codepoints_open(&obs, args[2], "observed") < 0) {
        return NULL;
    }
    if (codepoints_open(&intended, args[3], "intended") < 0) {
        codepoints_close(&obs);
        return NULL;
    }
    double p;
    int rc = channel_forward((EmitTable *)args[0], args[1], &obs, &intended, &p);
    codepoints_close(&obs);
    codepoints_close(&intended);
    return rc < 0 ? NULL : PyFloat_FromDouble(p);
}

/* ChannelModel.logprobs: ln P(observed | w) of each w of a list (-1e9 where it is 0), as math.log does. */
static PyObject *
core_channel_logprobs(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyObject_TypeCheck(args[0], &EmitTableType) || !PyList_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "channel_logprobs(table, emit, observed, words) takes an EmitTable, "
                                         "the model's emit, a str and a list of str");
        return NULL;
    }
    CodePoints obs;
    if (codepoints_open(&obs, args[2], "observed") < 0) {
        return NULL;
    }
    PyObject *words = PyList_AsTuple(args[3]); /* emit may run Python code that changes the list */
    PyObject *out = words == NULL ? NULL : PyList_New(PyTuple_GET_SIZE(words));
    if (out == NULL) {
        Py_XDECREF(words);
        codepoints_close(&obs);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(words); i++) {
        CodePoints intended;
        double p;
        int rc = codepoints_open(&intended, PyTuple_GET_ITEM(words, i), "a word");
        if (rc == 0) {
            rc = channel_forward((EmitTable *)args[0], args[1], &obs, &intended, &p);
            codepoints_close(&intended);
        }
        PyObject *lp = rc < 0 ? NULL : PyFloat_FromDouble(p > 0 ? log(p) : -1e9);
        if (lp == NULL) {
            Py_DECREF(out);
            Py_DECREF(words);
            codepoints_close(&obs);
            return NULL;
        }
        PyList_SET_ITEM(out, i, lp);
    }
    Py_DECREF(words);
    codepoints_close(&obs);
    return out;
}

/* One alignment's posterior, as a (intended char, segment, posterior) tuple appended to out. */
static int
append_posterior(PyObject *out, const CodePoints *g, Py_ssize_t i, const CodePoints *o, Py_ssize_t j,
                 Py_ssize_t k, double post)
{
    PyObject *c = PyUnicode_Substring(g->str, i, i + 1);
    PyObject *seg = c == NULL ? NULL : PyUnicode_Substring(o->str, j, j + k);
    PyObject *p = seg == NULL ? NULL : PyFloat_FromDouble(post);
    PyObject *tup = p == NULL ? NULL : PyTuple_Pack(3, c, seg, p);
    Py_XDECREF(c);
    Py_XDECREF(seg);
    Py_XDECREF(p);
    if (tup == NULL) {
        return -1;
    }
    int rc = PyList_Append(out, tup);
    Py_DECREF(tup);
    return rc;
}

static PyObject *
core_channel_posteriors(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyObject_TypeCheck(args[0], &EmitTableType)) {
        PyErr_SetString(PyExc_TypeError, "channel_posteriors(table, emit, o, g, floor) takes an EmitTable, "
                                         "the model's emit, two str and a float");
        return NULL;
    }
    EmitTable *t = (EmitTable *)args[0];
    PyObject *emit = args[1];
    double floor_ = PyFloat_AsDouble(args[4]);
    if (floor_ == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    CodePoints o, g;
    if (codepoints_open(&o, args[2], "o") < 0) {
        return NULL;
    }
    if (codepoints_open(&g, args[3], "g") < 0) {
        codepoints_close(&o);
        return NULL;
    }
    PyObject *out = NULL, *result = NULL;
    double *fwd = NULL, *bwd = NULL;
    Py_ssize_t m = o.len, n = g.len, w = m + 1;
    size_t cells = (size_t)(n + 1) * (size_t)w;
    fwd = PyMem_Calloc(cells, sizeof(double));
    bwd = PyMem_Calloc(cells, sizeof(double));
    out = PyList_New(0);
    if (fwd == NULL || bwd == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (out == NULL) {
        goto done;
    }
    fwd[0] = 1.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const double *row = fwd + i * w;
        double *nxt = fwd + (i + 1) * w;
        for (Py_ssize_t j = 0; j <= m; j++) {
            if (row[j] != 0.0) {
                Py_ssize_t top = seg_limit(m, j);
                for (Py_ssize_t k = 0; k <= top; k++) {
                    double e;
                    if (emit_get(t, emit, &g, i, &o, j, k, &e) < 0) {
                        goto done;
                    }
                    nxt[j + k] += row[j] * e;
                }
            }
        }
    }
    double total = fwd[n * w + m];
    if (total > 0) {
        bwd[n * w + m] = 1.0;
        for (Py_ssize_t i = n - 1; i >= 0; i--) {
            for (Py_ssize_t j = 0; j <= m; j++) {
                double terms[CHANNEL_MAX_SEG + 1];
                Py_ssize_t top = seg_limit(m, j);
                for (Py_ssize_t k = 0; k <= top; k++) {
                    double e;
                    if (emit_get(t, emit, &g, i, &o, j, k, &e) < 0) {
                        goto done;
                    }
                    terms[k] = e * bwd[(i + 1) * w + j + k];
                }
                bwd[i * w + j] = python_sum(terms, top + 1);
            }
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            for (Py_ssize_t j = 0; j <= m; j++) {
                double f = fwd[i * w + j];
                if (f == 0.0) {
                    continue;
                }
                Py_ssize_t top = seg_limit(m, j);
                for (Py_ssize_t k = 0; k <= top; k++) {
                    double e;
                    if (emit_get(t, emit, &g, i, &o, j, k, &e) < 0) {
                        goto done;
                    }
                    double post = f * e * bwd[(i + 1) * w + j + k] / total;
                    if (post > floor_ && append_posterior(out, &g, i, &o, j, k, post) < 0) {
                        goto done;
                    }
                }
            }
        }
    }
    result = PyList_AsTuple(out);
done:
    Py_XDECREF(out);
    PyMem_Free(fwd);
    PyMem_Free(bwd);
    codepoints_close(&o);
    codepoints_close(&g);
    return result;
}

/* ---- term fitting --------------------------------------------------------------------------------------- */

/* terms.TermFitter.apply_python's search for built-in phrases, token by token: the same look-ups in the same
 * order (the option lists read live, as Python's list iterator reads them; the next token's bare letters a
 * Python set, iterated as Python iterates it), the same fit (the same products and sum), and every fit handed
 * to `boost` (TermFitter._boost) at the point where Python boosts it; `user(i)`, when given, fits the user's
 * phrases starting at token i after its built-in ones, as Python does. */

static PyObject *str_lower;       /* "lower" */
static PyObject *str_syllables;   /* "syllables" */

/* {w: ch for w, _ids, ch in options if w is not None} */
static PyObject *
candidate_map(PyObject *options)
{
    PyObject *m = PyDict_New();
    if (m == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(options); k++) {
        PyObject *opt = PyList_GET_ITEM(options, k);
        if (!PyTuple_Check(opt) || PyTuple_GET_SIZE(opt) != 3) {
            PyErr_SetString(PyExc_TypeError, "an option is a (syllables, ids, score) tuple");
            Py_DECREF(m);
            return NULL;
        }
        PyObject *w = PyTuple_GET_ITEM(opt, 0);
        if (w != Py_None && PyDict_SetItem(m, w, PyTuple_GET_ITEM(opt, 2)) < 0) {
            Py_DECREF(m);
            return NULL;
        }
    }
    return m;
}

/* {strip_marks(v) for v, _ids, _c in options if v is not None} | {strip_marks(word.lower())} */
static PyObject *
bare_letters(PyObject *options, PyObject *word, PyObject *strip_marks)
{
    PyObject *bares = PySet_New(NULL);
    if (bares == NULL) {
        return NULL;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(options); k++) {
        PyObject *opt = PyList_GET_ITEM(options, k);
        if (!PyTuple_Check(opt) || PyTuple_GET_SIZE(opt) != 3) {
            PyErr_SetString(PyExc_TypeError, "an option is a (syllables, ids, score) tuple");
            goto fail;
        }
        PyObject *v = PyTuple_GET_ITEM(opt, 0);
        if (v == Py_None) {
            continue;
        }
        PyObject *b = PyObject_CallOneArg(strip_marks, v);
        if (b == NULL) {
            goto fail;
        }
        int rc = PySet_Add(bares, b);
        Py_DECREF(b);
        if (rc < 0) {
            goto fail;
        }
    }
    PyObject *low = PyObject_CallMethodNoArgs(word, str_lower);
    if (low == NULL) {
        goto fail;
    }
    PyObject *b = PyObject_CallOneArg(strip_marks, low);
    Py_DECREF(low);
    if (b == NULL) {
        goto fail;
    }
    int rc = PySet_Add(bares, b);
    Py_DECREF(b);
    if (rc < 0) {
        goto fail;
    }
    return bares;
fail:
    Py_DECREF(bares);
    return NULL;
}

/* Whether `phrase` fits the tokens from i (1, with its scores in lps), does not (0), or an error (-1). */
static int
fit_builtin(PyObject *sylls, Py_ssize_t i, PyObject *words, PyObject *lattice, PyObject **cand_maps,
            PyObject *memo, PyObject *logprob, double floor_, double weight, double least_mean, double *lps)
{
    Py_ssize_t len = PyTuple_GET_SIZE(sylls);
    for (Py_ssize_t j = 0; j < len; j++) {
        PyObject *syl = PyTuple_GET_ITEM(sylls, j);
        PyObject *m = cand_maps[i + j];
        if (m == NULL) {
            if (PyList_GET_ITEM(words, i + j) == Py_None) {
                return 0;
            }
            PyObject *options = PyList_GET_ITEM(lattice, i + j);
            if (!PyList_Check(options)) {
                PyErr_SetString(PyExc_TypeError, "a token's options are a list");
                return -1;
            }
            m = cand_maps[i + j] = candidate_map(options);
            if (m == NULL) {
                return -1;
            }
        }
        PyObject *found = PyDict_GetItemWithError(m, syl); /* borrowed */
        double lp;
        if (found != NULL) {
            lp = PyFloat_AsDouble(found);
            if (lp == -1.0 && PyErr_Occurred()) {
                return -1;
            }
        }
        else {
            if (PyErr_Occurred()) {
                return -1;
            }
            /* not among the token's candidates: the channel may still read the token as this syllable */
            PyObject *observed = PyObject_CallMethodNoArgs(PyList_GET_ITEM(words, i + j), str_lower);
            if (observed == NULL) {
                return -1;
            }
            PyObject *key = PyTuple_Pack(2, observed, syl);
            if (key == NULL) {
                Py_DECREF(observed);
                return -1;
            }
            PyObject *value = PyDict_GetItemWithError(memo, key); /* borrowed */
            Py_DECREF(key);
            if (value != NULL) {
                Py_INCREF(value);
            }
            else if (!PyErr_Occurred()) {
                value = PyObject_CallFunctionObjArgs(logprob, observed, syl, NULL);
            }
            Py_DECREF(observed);
            if (value == NULL) {
                return -1;
            }
            lp = PyFloat_AsDouble(value);
            Py_DECREF(value);
            if (lp == -1.0 && PyErr_Occurred()) {
                return -1;
            }
            if (lp < floor_) {
                return 0;
            }
            lp *= weight;
        }
        lps[j] = lp;
    }
    return python_sum(lps, len) / (double)len >= least_mean;
}

static PyObject *
core_term_fit(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 11 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyDict_Check(args[2])
        || !PyDict_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "term_fit(words, lattice, index, memo, logprob, strip_marks, boost, "
                                         "user, floor, weight, least_mean) takes two lists, two dicts, four "
                                         "callables (user may be None) and three floats");
        return NULL;
    }
    PyObject *words = args[0], *lattice = args[1], *index = args[2], *memo = args[3];
    PyObject *logprob = args[4], *strip_marks = args[5], *boost = args[6], *user = args[7];
    double floor_ = PyFloat_AsDouble(args[8]);
    double weight = PyFloat_AsDouble(args[9]);
    double least_mean = PyFloat_AsDouble(args[10]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(words);
    if (PyList_GET_SIZE(lattice) != n) {
        PyErr_SetString(PyExc_ValueError, "term_fit: one option list per word");
        return NULL;
    }
    PyObject **cand_maps = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof(PyObject *));
    if (cand_maps == NULL) {
        return PyErr_NoMemory();
    }
    Py_INCREF(words);
    Py_INCREF(lattice);
    PyObject *result = NULL, *bares = NULL, *it = NULL, *opt = NULL, *seconds = NULL;
    double *lps = NULL;
    Py_ssize_t lps_size = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PyList_GET_ITEM(words, i) == Py_None) {
            continue;
        }
        PyObject *next = i + 1 < n ? PyList_GET_ITEM(words, i + 1) : Py_None; /* the last word: user phrases only */
        if (next != Py_None) {
            PyObject *options = PyList_GET_ITEM(lattice, i);
            if (!PyList_Check(options) || !PyList_Check(PyList_GET_ITEM(lattice, i + 1))) {
                PyErr_SetString(PyExc_TypeError, "a token's options are a list");
                goto done;
            }
            Py_INCREF(options);
            for (Py_ssize_t k = 0; k < PyList_GET_SIZE(options); k++) {
                opt = PyList_GET_ITEM(options, k);
                Py_INCREF(opt);
                if (!PyTuple_Check(opt) || PyTuple_GET_SIZE(opt) != 3) {
                    PyErr_SetString(PyExc_TypeError, "an option is a (syllables, ids, score) tuple");
                    Py_DECREF(options);
                    goto done;
                }
                seconds = PyDict_GetItemWithError(index, PyTuple_GET_ITEM(opt, 0));
                if (seconds == NULL) {
                    Py_CLEAR(opt);
                    if (PyErr_Occurred()) {
                        Py_DECREF(options);
                        goto done;
                    }
                    continue;
                }
                Py_INCREF(seconds);
                if (!PyDict_Check(seconds)) {
                    PyErr_SetString(PyExc_TypeError, "the index maps a first syllable to a dict");
                    Py_DECREF(options);
                    goto done;
                }
                if (bares == NULL) {
                    bares = bare_letters(PyList_GET_ITEM(lattice, i + 1), next, strip_marks);
                    if (bares == NULL) {
                        Py_DECREF(options);
                        goto done;
                    }
                }
                it = PyObject_GetIter(bares);
                if (it == NULL) {
                    Py_DECREF(options);
                    goto done;
                }
                PyObject *nb;
                while ((nb = PyIter_Next(it)) != NULL) {
                    PyObject *phrases = PyDict_GetItemWithError(seconds, nb); /* borrowed */
                    Py_DECREF(nb);
                    if (phrases == NULL) {
                        if (PyErr_Occurred()) {
                            break;
                        }
                        continue;
                    }
                    Py_INCREF(phrases);
                    if (!PyList_Check(phrases)) {
                        PyErr_SetString(PyExc_TypeError, "the index's phrases are a list");
                        Py_DECREF(phrases);
                        break;
                    }
                    int failed = 0;
                    for (Py_ssize_t p = 0; p < PyList_GET_SIZE(phrases) && !failed; p++) {
                        PyObject *phrase = PyList_GET_ITEM(phrases, p);
                        PyObject *sylls = PyObject_GetAttr(phrase, str_syllables);
                        if (sylls == NULL || !PyTuple_Check(sylls)) {
                            if (sylls != NULL) {
                                PyErr_SetString(PyExc_TypeError, "a phrase's syllables are a tuple");
                                Py_DECREF(sylls);
                            }
                            failed = 1;
                            break;
                        }
                        Py_ssize_t len = PyTuple_GET_SIZE(sylls);
                        if (len == 0 || i + len > n) {
                            Py_DECREF(sylls);
                            continue;
                        }
                        if (len > lps_size) {
                            double *grown = PyMem_Realloc(lps, (size_t)len * sizeof(double));
                            if (grown == NULL) {
                                PyErr_NoMemory();
                                Py_DECREF(sylls);
                                failed = 1;
                                break;
                            }
                            lps = grown;
                            lps_size = len;
                        }
                        int fits = fit_builtin(sylls, i, words, lattice, cand_maps, memo, logprob, floor_, weight,
                                               least_mean, lps);
                        Py_DECREF(sylls);
                        if (fits < 0) {
                            failed = 1;
                            break;
                        }
                        if (fits) {
                            PyObject *list = PyList_New(len);
                            if (list == NULL) {
                                failed = 1;
                                break;
                            }
                            for (Py_ssize_t j = 0; j < len; j++) {
                                PyObject *f = PyFloat_FromDouble(lps[j]);
                                if (f == NULL) {
                                    failed = 1;
                                    break;
                                }
                                PyList_SET_ITEM(list, j, f);
                            }
                            PyObject *pos = failed ? NULL : PyLong_FromSsize_t(i);
                            PyObject *r = pos == NULL ? NULL
                                                      : PyObject_CallFunctionObjArgs(boost, phrase, pos, list, NULL);
                            Py_XDECREF(pos);
                            Py_DECREF(list);
                            if (r == NULL) {
                                failed = 1;
                                break;
                            }
                            Py_DECREF(r);
                        }
                    }
                    Py_DECREF(phrases);
                    if (failed) {
                        break;
                    }
                }
                Py_CLEAR(it);
                Py_CLEAR(seconds);
                Py_CLEAR(opt);
                if (PyErr_Occurred()) {
                    Py_DECREF(options);
                    goto done;
                }
            }
            Py_DECREF(options);
            Py_CLEAR(bares);
        }
        if (user != Py_None) {
            PyObject *pos = PyLong_FromSsize_t(i);
            PyObject *r = pos == NULL ? NULL : PyObject_CallOneArg(user, pos);
            Py_XDECREF(pos);
            if (r == NULL) {
                goto done;
            }
            Py_DECREF(r);
        }
    }
    result = Py_NewRef(Py_None);
done:
    Py_XDECREF(it);
    Py_XDECREF(seconds);
    Py_XDECREF(opt);
    Py_XDECREF(bares);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_XDECREF(cand_maps[i]);
    }
    PyMem_Free(cand_maps);
    PyMem_Free(lps);
    Py_DECREF(words);
    Py_DECREF(lattice);
    return result;
}

/* ---- the module --------------------------------------------------------------------------------------- */

static PyMethodDef core_methods[] = {
    {"viterbi", core_viterbi, METH_VARARGS,
     "viterbi(lattice, model, lm_weight, beam) -> the index of the best option of each token, as "
     "search.viterbi"},
    {"local_posteriors", core_local_posteriors, METH_VARARGS,
     "local_posteriors(model, lm_weight, flat, j, options, k) -> each option's share, as "
     "search.local_posteriors"},
    {"channel_prob", (PyCFunction)(void (*)(void))core_channel_prob, METH_FASTCALL,
     "channel_prob(table, emit, observed, intended) -> P(observed | intended), as ChannelModel.prob_python"},
    {"channel_logprobs", (PyCFunction)(void (*)(void))core_channel_logprobs, METH_FASTCALL,
     "channel_logprobs(table, emit, observed, words) -> [ln P(observed | w) for w in words], -1e9 where it is "
     "0, as ChannelModel.logprobs_python"},
    {"channel_posteriors", (PyCFunction)(void (*)(void))core_channel_posteriors, METH_FASTCALL,
     "channel_posteriors(table, emit, o, g, floor) -> the alignments' (char, segment, posterior), as "
     "ChannelModel.posteriors_python"},
    {"term_fit", (PyCFunction)(void (*)(void))core_term_fit, METH_FASTCALL,
     "term_fit(words, lattice, index, memo, logprob, strip_marks, boost, user, floor, weight, least_mean) -> "
     "None: the built-in phrases that runs of tokens fit, each handed to boost(phrase, i, lps), as "
     "terms.TermFitter.apply_python"},
    {"python_sum", core_python_sum, METH_O,
     "python_sum(floats) -> their sum as the core adds them (the built-in sum()'s way; for the tests)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "cchc_cli.repair._core",
    .m_doc = "The compiled decoding core: trigram look-ups, the Viterbi search and the local posteriors over "
             "the language model's typed arrays, the OCR channel's sums over segmentations (the reference "
             "implementation is lm.py, search.py and channel.py).",
    .m_size = -1,
    .m_methods = core_methods,
};

PyMODINIT_FUNC
PyInit__core(void)
{
    if (PyType_Ready(&ModelType) < 0 || PyType_Ready(&EmitTableType) < 0) {
        return NULL;
    }
    str_lower = PyUnicode_InternFromString("lower");
    str_syllables = PyUnicode_InternFromString("syllables");
    if (str_lower == NULL || str_syllables == NULL) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&core_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(module, "Model", (PyObject *)&ModelType) < 0
        || PyModule_AddObjectRef(module, "EmitTable", (PyObject *)&EmitTableType) < 0
        || PyModule_AddIntConstant(module, "CHANNEL_MAX_SEG", CHANNEL_MAX_SEG) < 0
        || PyModule_AddStringConstant(module, "SUM", PY_VERSION_HEX >= 0x030C0000 ? "neumaier" : "plain") < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
