/* A search hit's snippet in one pass over its text: the fragment tantivy's SnippetGenerator picks
 * (tantivy 0.27, src/snippet/mod.rs: search_fragments and select_best_fragment_combination) over
 * the `plain` analyzer (simple tokenizer, tokens of 40 bytes or more dropped, lower case, ASCII
 * folding), returned as HTML with the matches in <mark> (as kennisbank/search/snippets.py's
 * marked_html writes it).
 *
 * The analyzer is not written out here: the caller passes a table (snippets.folding_table) made by
 * running tantivy's own analyzer over every code point below TABLE_END, which says per code point
 * whether it separates words, or is part of a word and folds to which bytes. A text holding any
 * other code point gets NotImplemented, and the caller asks tantivy. So the output equals
 * tantivy's for every text this function answers (tests/test_search_snippets.py compares them).
 *
 * tantivy tokenizes the text in Rust and hands it to Python in four objects per hit: ~20 us a
 * hit for a 600-character text; this takes ~1 us. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define TABLE_END 0x2100   /* code points the table describes */
#define ENTRY 8            /* bytes per code point: kind, length, up to 6 folded bytes */
#define FOLDED_MAX 6
#define MAX_TOKEN 40       /* tantivy's remove_long(40): tokens of 40 bytes or more are dropped */
#define MAX_TERMS 4096     /* more than this: NotImplemented */

enum { UNSUPPORTED = 0, SEPARATOR = 1, LETTER = 2 };

typedef struct {
    const char *text;
    Py_ssize_t length;
    float score;
} Term;

typedef struct {
    Py_ssize_t start, stop;
} Span;

#define FNV_OFFSET 1469598103934665603ULL /* FNV-1a */
#define FNV_PRIME 1099511628211ULL

static uint64_t hash_bytes(const char *p, Py_ssize_t n) {
    uint64_t h = FNV_OFFSET;
    for (Py_ssize_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)p[i]) * FNV_PRIME;
    }
    return h;
}

/* The terms (folded word -> number of documents holding it) in an open-addressing table of mask + 1
 * slots, scored as tantivy scores them: 1 / (1 + documents), in 32-bit floats. */
static int fill_terms(PyObject *terms, Term *slots, size_t mask) {
    memset(slots, 0, sizeof(Term) * (mask + 1));
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(terms, &pos, &key, &value)) {
        Py_ssize_t length;
        const char *text = PyUnicode_Check(key) && PyLong_Check(value) ? PyUnicode_AsUTF8AndSize(key, &length) : NULL;
        long documents = text ? PyLong_AsLong(value) : -1;
        if (text == NULL || documents < 0) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, "terms: a dict of str -> number of documents (>= 0)");
            return -1;
        }
        if (documents == 0) { /* tantivy leaves out terms no document holds */
            continue;
        }
        uint64_t h = hash_bytes(text, length) & mask;
        while (slots[h].text != NULL) {
            h = (h + 1) & mask;
        }
        slots[h] = (Term){text, length, 1.0f / (1.0f + (float)documents)};
    }
    return 1;
}

static const Term *find_term(const Term *slots, size_t mask, const char *p, Py_ssize_t n, uint64_t hash) {
    uint64_t h = hash & mask;
    while (slots[h].text != NULL) {
        if (slots[h].length == n && memcmp(slots[h].text, p, (size_t)n) == 0) {
            return &slots[h];
        }
        h = (h + 1) & mask;
    }
    return NULL;
}

/* The code point at p (valid UTF-8, as CPython keeps it) and its length in bytes. */
static uint32_t decode(const unsigned char *p, int *length) {
    if (p[0] < 0x80) {
        *length = 1;
        return p[0];
    }
    if (p[0] < 0xE0) {
        *length = 2;
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    }
    if (p[0] < 0xF0) {
        *length = 3;
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    }
    *length = 4;
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6)
           | (p[3] & 0x3F);
}

/* The word at text[*at] (a letter there): its end in *at, its folded form in folded (the first
 * MAX_TOKEN bytes' worth) with its length in *used and hash; -1 at a code point the table does not
 * describe. ASCII is read straight from the table; other code points are decoded first. */
static int read_word(const unsigned char *text, Py_ssize_t length, const unsigned char *entries, Py_ssize_t *at,
                     char *folded, Py_ssize_t *used, uint64_t *hash) {
    Py_ssize_t i = *at, start = i, n = 0;
    uint64_t h = FNV_OFFSET;
    while (i < length) {
        int width = 1;
        uint32_t point = text[i] < 0x80 ? text[i] : decode(text + i, &width);
        if (point >= TABLE_END) {
            return -1;
        }
        const unsigned char *entry = entries + (size_t)point * ENTRY;
        if (entry[0] != LETTER) {
            if (entry[0] == SEPARATOR) {
                break;
            }
            return -1;
        }
        if (i - start < MAX_TOKEN) {
            for (int k = 0; k < entry[1]; k++) {
                folded[n++] = (char)entry[2 + k];
                h = (h ^ entry[2 + k]) * FNV_PRIME;
            }
        }
        i += width;
    }
    *at = i, *used = n, *hash = h;
    return 0;
}

/* tantivy's search_fragments and select_best_fragment_combination in one pass: words are added to
 * the current fragment until one would end more than max_chars bytes after its start, which then
 * starts the next; the fragment with the highest score (the sum of its matched words' scores) is
 * kept, the first of equal ones. 1 with the fragment in *chosen and its matches in best, 0 when no
 * word matches, -1 at a code point the table does not describe. */
static int best_fragment(const unsigned char *text, Py_ssize_t length, const unsigned char *entries,
                         const Term *slots, size_t mask, Py_ssize_t max_chars, Span *current, Span *best,
                         Span *chosen, Py_ssize_t *chosen_marked) {
    char folded[MAX_TOKEN * FOLDED_MAX];
    Span fragment = {0, 0};
    float score = 0.0f, chosen_score = 0.0f;
    Py_ssize_t marked = 0;
    int found = 0;
    Py_ssize_t i = 0;
    while (i < length) {
        int width = 1;
        uint32_t point = text[i] < 0x80 ? text[i] : decode(text + i, &width);
        if (point >= TABLE_END || entries[(size_t)point * ENTRY] == UNSUPPORTED) {
            return -1;
        }
        if (entries[(size_t)point * ENTRY] == SEPARATOR) {
            i += width;
            continue;
        }
        Py_ssize_t start = i, used;
        uint64_t hash;
        if (read_word(text, length, entries, &i, folded, &used, &hash) < 0) {
            return -1;
        }
        if (i - start >= MAX_TOKEN) {
            continue;
        }
        if (i - fragment.start > max_chars) { /* the word does not fit: a new fragment starts at it */
            if (score > 0.0f && (!found || score > chosen_score)) {
                found = 1, *chosen = fragment, chosen_score = score, *chosen_marked = marked;
                memcpy(best, current, sizeof(Span) * (size_t)marked);
            }
            fragment.start = start, score = 0.0f, marked = 0;
        }
        fragment.stop = i;
        const Term *term = find_term(slots, mask, folded, used, hash);
        if (term != NULL) {
            score += term->score;
            current[marked++] = (Span){start, i};
        }
    }
    if (score > 0.0f && (!found || score > chosen_score)) {
        found = 1, *chosen = fragment, *chosen_marked = marked;
        memcpy(best, current, sizeof(Span) * (size_t)marked);
    }
    return found;
}

/* The fragment's bytes as HTML: escaped as Python's html.escape does, the spans in <mark>, and
 * the two control characters marked_html uses as marks turned into spaces, as it does. */
static PyObject *fragment_as_html(const char *text, Span fragment, const Span *marks, Py_ssize_t count) {
    Py_ssize_t size = (fragment.stop - fragment.start) * 6 + count * 13 + 1;
    char *out = PyMem_Malloc((size_t)size), *w = out;
    if (out == NULL) {
        return PyErr_NoMemory();
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = fragment.start; i < fragment.stop; i++) {
        if (m < count && i == marks[m].start) {
            memcpy(w, "<mark>", 6), w += 6;
        }
        switch (text[i]) {
        case '&': memcpy(w, "&amp;", 5), w += 5; break;
        case '<': memcpy(w, "&lt;", 4), w += 4; break;
        case '>': memcpy(w, "&gt;", 4), w += 4; break;
        case '"': memcpy(w, "&quot;", 6), w += 6; break;
        case '\'': memcpy(w, "&#x27;", 6), w += 6; break;
        case '\x01': case '\x02': *w++ = ' '; break;
        default: *w++ = text[i];
        }
        if (m < count && i + 1 == marks[m].stop) {
            memcpy(w, "</mark>", 7), w += 7;
            m++;
        }
    }
    PyObject *html = PyUnicode_DecodeUTF8(out, w - out, "strict");
    PyMem_Free(out);
    return html;
}

static PyObject *fragment_html(PyObject *self, PyObject *args) {
    PyObject *source, *terms;
    Py_buffer table;
    Py_ssize_t max_chars;
    if (!PyArg_ParseTuple(args, "UO!y*n", &source, &PyDict_Type, &terms, &table, &max_chars)) {
        return NULL;
    }
    PyObject *result = NULL;
    Term *slots = NULL;
    Span *current = NULL, *best = NULL;
    Py_ssize_t length;
    const char *text = PyUnicode_AsUTF8AndSize(source, &length);
    if (text == NULL) {
        goto done;
    }
    if (table.len != TABLE_END * ENTRY) {
        PyErr_SetString(PyExc_ValueError, "table: one 8-byte entry per code point below U+2100 is needed");
        goto done;
    }
    if (max_chars < 1 || PyDict_GET_SIZE(terms) > MAX_TERMS) {
        result = max_chars < 1 ? PyErr_Format(PyExc_ValueError, "max_chars: at least 1") : Py_NewRef(Py_NotImplemented);
        goto done;
    }
    size_t mask = 15; /* a table at most half full */
    while (mask + 1 < 2 * (size_t)PyDict_GET_SIZE(terms)) {
        mask = mask * 2 + 1;
    }
    /* a fragment is at most max_chars bytes: at most one word in two bytes is marked */
    size_t spans = (size_t)(max_chars < length ? max_chars : length) / 2 + 1;
    slots = PyMem_Malloc(sizeof(Term) * (mask + 1));
    current = PyMem_Malloc(sizeof(Span) * spans);
    best = PyMem_Malloc(sizeof(Span) * spans);
    if (slots == NULL || current == NULL || best == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (fill_terms(terms, slots, mask) < 0) {
        goto done;
    }
    Span chosen;
    Py_ssize_t chosen_marked = 0;
    int found = best_fragment((const unsigned char *)text, length, table.buf, slots, mask, max_chars, current, best,
                              &chosen, &chosen_marked);
    if (found < 0) {
        result = Py_NewRef(Py_NotImplemented);
        goto done;
    }
    if (!found) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    PyObject *html = fragment_as_html(text, chosen, best, chosen_marked);
    if (html != NULL) {
        result = Py_BuildValue("(NOO)", html, chosen.start > 0 ? Py_True : Py_False,
                               chosen.stop < length ? Py_True : Py_False);
    }
done:
    PyMem_Free(slots);
    PyMem_Free(current);
    PyMem_Free(best);
    PyBuffer_Release(&table);
    return result;
}

static PyMethodDef methods[] = {
    {"fragment_html", fragment_html, METH_VARARGS,
     "fragment_html(text, terms, table, max_chars) -> (html, cut_before, cut_after) | None | NotImplemented"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_snippet", NULL, -1, methods};

PyMODINIT_FUNC PyInit__snippet(void) {
    return PyModule_Create(&module);
}
