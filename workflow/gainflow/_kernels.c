/* gainflow._kernels: the inner loops that numpy cannot express without many passes over memory
 * (or without building Python sets), compiled when the package is installed. No JIT: a process loads this in a
 * millisecond, where a JIT's import and cache loading (about 0.9 s with numba) would weigh on each of a sweep's short jobs.
 *
 * format_rows: integer matrix -> CSV text (traces and lifetime tables);
 * bucket_by_address: writes in key order;
 * assign_reads, collect_intervals: reads -> the write intervals they fall in -> their first and last
 *   reads -> lifetimes;
 * set_order: the iteration order of CPython sets of ints (SCALE-Sim's DRAM fetch order);
 * merge_events, close_open_intervals, address_slots, histogram_add: the streaming lifetime analysis (writes and
 *   reads merged in cycle order against a per-address state; sparse addresses mapped to dense slots by a hash
 *   table; the closed intervals counted into exact histograms, hash tables too, and handed out with their state
 *   row and write cycle for the per-interval tables).
 *
 * Arguments are C-contiguous buffers (numpy arrays); the Python wrappers in gainflow.files.csv_text
 * and gainflow.lifetimes.intervals check types and shapes before calling.
 */
#define PY_SSIZE_T_CLEAN
/* setup.py passes this file's SHA-256: the module carries it as SOURCE_SHA256, and gainflow.kernels
 * refuses a module built from another version of this file (an edit since the last build). */
#ifndef GAINFLOW_SOURCE_SHA256
#error "build gainflow._kernels through setup.py (pip install .), which defines GAINFLOW_SOURCE_SHA256"
#endif
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* "00".."99": two digits per division. */
static char digit_pairs[200];

/* Longest field: sign + 19 digits of an int64. */
#define MAX_DIGITS 20

static char *put_int(char *out, int64_t value)
{
    uint64_t rest;
    char digits[MAX_DIGITS];
    char *end = digits + MAX_DIGITS, *start = end;
    if (value < 0) {
        *out++ = '-';
        rest = (uint64_t)0 - (uint64_t)value;
    } else {
        rest = (uint64_t)value;
    }
    while (rest >= 100) {
        uint64_t pair = rest % 100;
        rest /= 100;
        start -= 2;
        memcpy(start, digit_pairs + 2 * pair, 2);
    }
    if (rest >= 10) {
        start -= 2;
        memcpy(start, digit_pairs + 2 * rest, 2);
    } else {
        *--start = (char)('0' + rest);
    }
    memcpy(out, start, (size_t)(end - start));
    return out + (end - start);
}

/* Bytes format_rows may need per row: `prefix`, then per value a sign, 19 digits, `suffix`, and a
 * separator. */
static Py_ssize_t row_bytes(Py_ssize_t columns, Py_ssize_t prefix, Py_ssize_t suffix)
{
    return prefix + columns * (MAX_DIGITS + suffix + 1);
}

static PyObject *format_rows(PyObject *self, PyObject *args)
{
    Py_buffer matrix, prefix, suffix, text;
    Py_ssize_t columns;
    if (!PyArg_ParseTuple(args, "y*ny*y*w*", &matrix, &columns, &prefix, &suffix, &text))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t values = matrix.len / (Py_ssize_t)sizeof(int64_t);
    if (columns <= 0 || matrix.len % (Py_ssize_t)sizeof(int64_t) || values % columns) {
        PyErr_SetString(PyExc_ValueError, "format_rows: matrix size is not a multiple of the column count");
        goto done;
    }
    Py_ssize_t rows = values / columns;
    if (text.len < rows * row_bytes(columns, prefix.len, suffix.len)) {
        PyErr_SetString(PyExc_ValueError, "format_rows: text buffer too small");
        goto done;
    }
    const int64_t *cell = (const int64_t *)matrix.buf;
    char *start = (char *)text.buf, *out = start;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t row = 0; row < rows; row++) {
        memcpy(out, prefix.buf, (size_t)prefix.len);
        out += prefix.len;
        for (Py_ssize_t column = 0; column < columns; column++) {
            out = put_int(out, *cell++);
            memcpy(out, suffix.buf, (size_t)suffix.len);
            out += suffix.len;
            *out++ = column + 1 < columns ? ',' : '\n';
        }
    }
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(out - start);
done:
    PyBuffer_Release(&matrix);
    PyBuffer_Release(&prefix);
    PyBuffer_Release(&suffix);
    PyBuffer_Release(&text);
    return result;
}

static PyObject *text_bytes(PyObject *self, PyObject *args)
{
    Py_ssize_t rows, columns, prefix, suffix;
    if (!PyArg_ParseTuple(args, "nnnn", &rows, &columns, &prefix, &suffix))
        return NULL;
    return PyLong_FromSsize_t(rows * row_bytes(columns, prefix, suffix));
}

/* The slot of the last write at or before `key` in key order, searching slots 0..high (slot 0
 * holds a key below every key, so the result is >= 0). */
static Py_ssize_t last_slot_at_or_before(const int64_t *slot_keys, Py_ssize_t high, int64_t key)
{
    Py_ssize_t low = 0;
    while (low < high) {
        Py_ssize_t middle = low + (high - low + 1) / 2;
        if (slot_keys[middle] <= key)
            low = middle;
        else
            high = middle - 1;
    }
    return low;
}

/* Walk steps tried before a binary search: buffers rewrite an address a few times at most. */
#define WALK_STEPS 8

static PyObject *assign_reads(PyObject *self, PyObject *args)
{
    Py_buffer slot_keys, last_slot_by_address, read_keys, interval_reads, first_read_key, last_read_key, unfilled;
    int cycle_bits;
    if (!PyArg_ParseTuple(args, "y*y*iy*w*w*w*w*", &slot_keys, &last_slot_by_address, &cycle_bits, &read_keys,
                          &interval_reads, &first_read_key, &last_read_key, &unfilled))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t slots = slot_keys.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t reads = read_keys.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t table_size = last_slot_by_address.len / (Py_ssize_t)sizeof(int64_t);
    if (slots < 1 || interval_reads.len != slot_keys.len || first_read_key.len != slot_keys.len
        || last_read_key.len != slot_keys.len || unfilled.len != reads || cycle_bits < 1 || cycle_bits > 62) {
        PyErr_SetString(PyExc_ValueError, "assign_reads: inconsistent array sizes");
        goto done;
    }
    const int64_t *keys = (const int64_t *)slot_keys.buf;
    const int64_t *table = (const int64_t *)last_slot_by_address.buf;
    const int64_t *read = (const int64_t *)read_keys.buf;
    int64_t *count = (int64_t *)interval_reads.buf;
    int64_t *first = (int64_t *)first_read_key.buf, *last = (int64_t *)last_read_key.buf;
    uint8_t *outside = (uint8_t *)unfilled.buf;
    Py_ssize_t unfilled_reads = 0;
    int bad_table = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < reads; i++) {
        int64_t key = read[i];
        int64_t address = key >> cycle_bits;
        Py_ssize_t slot;
        if (table_size) {
            if (address < 0 || address >= table_size || table[address] < 0 || table[address] >= slots) {
                bad_table = 1;
                break;
            }
            slot = (Py_ssize_t)table[address];
            int steps = 0;
            while (keys[slot] > key && steps < WALK_STEPS) {
                slot--;
                steps++;
            }
            if (keys[slot] > key)
                slot = last_slot_at_or_before(keys, slot, key);
        } else {
            slot = last_slot_at_or_before(keys, slots - 1, key);
        }
        /* Filled: the write found has the read's address (slot 0 has none). */
        if (slot > 0 && (keys[slot] >> cycle_bits) == address) {
            /* The first read of an interval starts its count (reads come in any order). */
            if (count[slot]++ == 0 || key < first[slot])
                first[slot] = key;
            if (key > last[slot])
                last[slot] = key;
            outside[i] = 0;
        } else {
            outside[i] = 1;
            unfilled_reads++;
        }
    }
    Py_END_ALLOW_THREADS
    if (bad_table)
        PyErr_SetString(PyExc_ValueError, "assign_reads: a read's address lies outside the address table");
    else
        result = PyLong_FromSsize_t(unfilled_reads);
done:
    PyBuffer_Release(&slot_keys);
    PyBuffer_Release(&last_slot_by_address);
    PyBuffer_Release(&read_keys);
    PyBuffer_Release(&interval_reads);
    PyBuffer_Release(&first_read_key);
    PyBuffer_Release(&last_read_key);
    PyBuffer_Release(&unfilled);
    return result;
}

/* A LifetimeBuilder's write keys (address field above `cycle_bits`, relative to the smallest written
 * address) bucketed by address, stable, into `sorted_keys`: a counting sort, O(writes + addresses)
 * where a comparison sort costs O(writes log writes). `last_slot_by_address[a]` becomes the number of
 * writes at or below address a (the slot of its last write, slot 0 standing before all writes).
 * Returns whether `sorted_keys` is in key order, which holds when each address's writes came in
 * cycle order (a simulator's or a trace's writes do); otherwise the caller sorts it. */
static PyObject *bucket_by_address(PyObject *self, PyObject *args)
{
    Py_buffer write_keys, last_slot_by_address, sorted_keys;
    int cycle_bits;
    if (!PyArg_ParseTuple(args, "y*iw*w*", &write_keys, &cycle_bits, &last_slot_by_address, &sorted_keys))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t writes = write_keys.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t table_size = last_slot_by_address.len / (Py_ssize_t)sizeof(int64_t);
    if (sorted_keys.len != write_keys.len || table_size < 1 || cycle_bits < 1 || cycle_bits > 62) {
        PyErr_SetString(PyExc_ValueError, "bucket_by_address: inconsistent array sizes");
        goto done;
    }
    const int64_t *key = (const int64_t *)write_keys.buf;
    int64_t *table = (int64_t *)last_slot_by_address.buf, *out = (int64_t *)sorted_keys.buf;
    int outside = 0, in_order = 1;
    Py_BEGIN_ALLOW_THREADS
    memset(table, 0, (size_t)table_size * sizeof(int64_t));
    for (Py_ssize_t i = 0; i < writes; i++) {
        int64_t address = key[i] >> cycle_bits;
        if (key[i] < 0 || address >= table_size) {
            outside = 1;
            break;
        }
        table[address]++;
    }
    if (!outside) {
        int64_t start = 0;
        for (Py_ssize_t address = 0; address < table_size; address++) {
            int64_t count = table[address];
            table[address] = start;
            start += count;
        }
        /* Each entry ends one past its address's last write: the count at or below it. */
        for (Py_ssize_t i = 0; i < writes; i++)
            out[table[key[i] >> cycle_bits]++] = key[i];
        for (Py_ssize_t i = 1; i < writes && in_order; i++)
            in_order = out[i - 1] <= out[i];
    }
    Py_END_ALLOW_THREADS
    if (outside)
        PyErr_SetString(PyExc_ValueError, "bucket_by_address: a write's address lies outside the address table");
    else
        result = PyBool_FromLong(in_order);
done:
    PyBuffer_Release(&write_keys);
    PyBuffer_Release(&last_slot_by_address);
    PyBuffer_Release(&sorted_keys);
    return result;
}

/* The intervals of a LifetimeBuilder's slots 1.. (writes in key order) that have reads: their
 * address, write cycle, lifetime (last read - write cycle), reads and first read cycle, compacted
 * into the output arrays; and the distinct written addresses. Returns (intervals, distinct addresses). */
static PyObject *collect_intervals(PyObject *self, PyObject *args)
{
    Py_buffer slot_keys, interval_reads, first_read_key, last_read_key, address_out, write_cycle_out, lifetime_out,
        reads_out, first_read_out, written_out;
    int cycle_bits;
    long long address_base, cycle_base;
    if (!PyArg_ParseTuple(args, "y*y*y*y*iLLw*w*w*w*w*w*", &slot_keys, &interval_reads, &first_read_key,
                          &last_read_key, &cycle_bits, &address_base, &cycle_base, &address_out, &write_cycle_out,
                          &lifetime_out, &reads_out, &first_read_out, &written_out))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t slots = slot_keys.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t writes = slots - 1;
    Py_ssize_t out_bytes = writes * (Py_ssize_t)sizeof(int64_t);
    if (slots < 1 || interval_reads.len != slot_keys.len || first_read_key.len != slot_keys.len
        || last_read_key.len != slot_keys.len || address_out.len != out_bytes || write_cycle_out.len != out_bytes
        || lifetime_out.len != out_bytes || reads_out.len != out_bytes || first_read_out.len != out_bytes
        || written_out.len != out_bytes || cycle_bits < 1 || cycle_bits > 62) {
        PyErr_SetString(PyExc_ValueError, "collect_intervals: inconsistent array sizes");
        goto done;
    }
    const int64_t *key = (const int64_t *)slot_keys.buf, *count = (const int64_t *)interval_reads.buf;
    const int64_t *first = (const int64_t *)first_read_key.buf, *last = (const int64_t *)last_read_key.buf;
    int64_t *address = (int64_t *)address_out.buf, *write_cycle = (int64_t *)write_cycle_out.buf;
    int64_t *lifetime = (int64_t *)lifetime_out.buf, *reads = (int64_t *)reads_out.buf;
    int64_t *first_read = (int64_t *)first_read_out.buf;
    int64_t *written = (int64_t *)written_out.buf;
    int64_t cycle_mask = ((int64_t)1 << cycle_bits) - 1;
    Py_ssize_t live = 0, distinct = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t slot = 1; slot < slots; slot++) {
        int64_t slot_address = (key[slot] >> cycle_bits) + address_base;
        if (distinct == 0 || written[distinct - 1] != slot_address)
            written[distinct++] = slot_address;
        if (count[slot] > 0) {
            int64_t cycle = (key[slot] & cycle_mask) + cycle_base;
            address[live] = slot_address;
            write_cycle[live] = cycle;
            lifetime[live] = (last[slot] & cycle_mask) + cycle_base - cycle;
            reads[live] = count[slot];
            first_read[live] = (first[slot] & cycle_mask) + cycle_base;
            live++;
        }
    }
    Py_END_ALLOW_THREADS
    result = Py_BuildValue("nn", live, distinct);
done:
    PyBuffer_Release(&slot_keys);
    PyBuffer_Release(&interval_reads);
    PyBuffer_Release(&first_read_key);
    PyBuffer_Release(&last_read_key);
    PyBuffer_Release(&address_out);
    PyBuffer_Release(&write_cycle_out);
    PyBuffer_Release(&lifetime_out);
    PyBuffer_Release(&reads_out);
    PyBuffer_Release(&first_read_out);
    PyBuffer_Release(&written_out);
    return result;
}

/* CPython's set of ints, as Objects/setobject.c builds it from a list (3.11): hash(i) == i for
 * 0 <= i < 2**61 - 1; open addressing, a probe checks slot i and, when i + 9 <= mask, the 9 slots
 * after it, then jumps to (5 i + 1 + perturb) & mask with perturb >>= 5; the table starts with 8
 * slots and, after an insertion that brings fill * 5 >= mask * 3, is rebuilt with the smallest power
 * of two above 4 * used, reinserting the entries in slot order. Iteration goes by slot.
 * gainflow.simulator.read_buffer checks this against the running interpreter's sets. */
#define LINEAR_PROBES 9
#define PERTURB_SHIFT 5
#define SET_MINSIZE 8

typedef struct {
    int64_t *key;
    uint32_t *generation; /* a slot is occupied when its generation is the table's */
    uint32_t current;
    size_t mask;
} IntSet;

static void set_clear(IntSet *set, size_t size)
{
    set->current++;
    if (set->current == 0) { /* wrapped: really clear */
        memset(set->generation, 0, sizeof(uint32_t) * size);
        set->current = 1;
    }
    set->mask = size - 1;
}

/* 1 when inserted, 0 when already present (an equal value lies on the same probe path). */
static int set_insert(IntSet *set, int64_t value)
{
    size_t mask = set->mask, perturb = (size_t)value, i = (size_t)value & mask;
    for (;;) {
        size_t probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
        for (size_t j = i; j <= i + probes; j++) {
            if (set->generation[j] != set->current) {
                set->generation[j] = set->current;
                set->key[j] = value;
                return 1;
            }
            if (set->key[j] == value)
                return 0;
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + 1 + perturb) & mask;
    }
}

static size_t set_slots_for(size_t used)
{
    size_t size = SET_MINSIZE, minused = used > 50000 ? used * 2 : used * 4;
    while (size <= minused)
        size <<= 1;
    return size;
}

/* One chunk of values into `out`, in iteration order; 0 if a value repeats (the set would be
 * shorter than the chunk). `spare` holds `count` values. */
static int set_order_chunk(IntSet *set, const int64_t *values, Py_ssize_t count, int64_t *out, int64_t *spare)
{
    size_t fill = 0;
    set_clear(set, SET_MINSIZE);
    for (Py_ssize_t n = 0; n < count; n++) {
        if (!set_insert(set, values[n]))
            return 0;
        fill++;
        if (fill * 5 >= set->mask * 3) {
            size_t kept = 0;
            for (size_t slot = 0; slot <= set->mask; slot++)
                if (set->generation[slot] == set->current)
                    spare[kept++] = set->key[slot];
            set_clear(set, set_slots_for(fill));
            for (size_t k = 0; k < kept; k++)
                set_insert(set, spare[k]);
        }
    }
    Py_ssize_t emitted = 0;
    for (size_t slot = 0; slot <= set->mask; slot++)
        if (set->generation[slot] == set->current)
            out[emitted++] = set->key[slot];
    return 1;
}

static PyObject *set_order(PyObject *self, PyObject *args)
{
    Py_buffer values, ordered;
    Py_ssize_t set_size;
    if (!PyArg_ParseTuple(args, "y*nw*", &values, &set_size, &ordered))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t count = values.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t *value = (const int64_t *)values.buf;
    if (set_size < 1 || ordered.len != values.len) {
        PyErr_SetString(PyExc_ValueError, "set_order: set size below 1 or output size differs");
        goto done;
    }
    for (Py_ssize_t n = 0; n < count; n++) {
        if (value[n] < 0 || value[n] >= ((int64_t)1 << 61) - 1) {
            PyErr_SetString(PyExc_ValueError, "set_order: values must lie in [0, 2**61 - 1)");
            goto done;
        }
    }
    size_t chunk = (size_t)(set_size < count ? set_size : count);
    size_t capacity = set_slots_for(chunk > 0 ? chunk : 1) * 2;
    IntSet set = {PyMem_Malloc(sizeof(int64_t) * capacity), PyMem_Calloc(capacity, sizeof(uint32_t)), 0, 0};
    int64_t *spare = PyMem_Malloc(sizeof(int64_t) * (chunk + 1));
    if (set.key == NULL || set.generation == NULL || spare == NULL) {
        PyErr_NoMemory();
    } else {
        int64_t *out = (int64_t *)ordered.buf;
        int distinct = 1;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t start = 0; start < count && distinct; start += set_size) {
            Py_ssize_t length = count - start < set_size ? count - start : set_size;
            distinct = set_order_chunk(&set, value + start, length, out + start, spare);
        }
        Py_END_ALLOW_THREADS
        if (distinct)
            result = Py_NewRef(Py_None);
        else
            PyErr_SetString(PyExc_ValueError, "set_order: a value repeats within a chunk");
    }
    PyMem_Free(set.key);
    PyMem_Free(set.generation);
    PyMem_Free(spare);
done:
    PyBuffer_Release(&values);
    PyBuffer_Release(&ordered);
    return result;
}

/* Streaming lifetimes (gainflow.lifetimes.stream): one row of four unsigned fields per address slot,
 * {write, first read, last read, reads} of its open interval, either uint32 (narrow rows, 16 bytes)
 * or uint64 (wide rows, 32 bytes), encoded alike so that widening is a plain copy of the values.
 * Cycles are offsets from the base, the first write's cycle: every stored cycle lies at or after it
 * (writes come in cycle order, and a read is stored only in the interval of a write at or before it).
 * The write field also says whether the address was seen at all: UNSEEN (no event yet; all-zero rows,
 * so a fresh table is zeroed memory), UNWRITTEN (only unfilled reads), else WRITTEN_AT + offset.
 * An event that does not fit a narrow row (an offset or a reads count beyond 32 bits) stops the
 * merge before changing anything, with NEEDS_WIDER_STATE: the caller widens the rows and goes on. */
#define UNSEEN 0
#define UNWRITTEN 1
#define WRITTEN_AT 2
#define STATE_FIELDS 4
enum { WRITE_FIELD, FIRST_READ, LAST_READ, READS };
/* Statuses (>= 0: go on; < 0: the event at the returned position is wrong). */
enum { NEEDS_INPUT = 0, OUTPUT_FULL = 1, NEEDS_WIDER_STATE = 2, WRITE_BEFORE_FRONTIER = -1,
       READ_OF_CLOSED_INTERVAL = -2, CYCLE_OUT_OF_RANGE = -3 };
/* counters[]: the last write's cycle (NO_WRITE_YET before the first: a cycle no event may have),
 * dead writes, unfilled reads, the base. */
enum { LAST_WRITE, DEAD_WRITES, UNFILLED_READS, BASE, COUNTERS };
#define NO_WRITE_YET INT64_MIN

/* The state rows: narrow (uint32 fields) or wide (uint64). The kernels' loops are compiled once per
 * width (`narrow` a constant in each copy, see merge_loop), so a field access costs no branch. */
typedef struct {
    void *fields;
    Py_ssize_t rows;
} State;

static inline uint64_t field_limit(int narrow)
{
    return narrow ? UINT32_MAX : UINT64_MAX;
}

static inline uint64_t get_field(const State *state, Py_ssize_t slot, int field, int narrow)
{
    Py_ssize_t at = STATE_FIELDS * slot + field;
    return narrow ? ((const uint32_t *)state->fields)[at] : ((const uint64_t *)state->fields)[at];
}

static inline void set_field(State *state, Py_ssize_t slot, int field, uint64_t value, int narrow)
{
    Py_ssize_t at = STATE_FIELDS * slot + field;
    if (narrow)
        ((uint32_t *)state->fields)[at] = (uint32_t)value;
    else
        ((uint64_t *)state->fields)[at] = value;
}

/* The state buffer as rows of the given width; 0 (and a ValueError) if its size is no whole number of rows. */
static int state_parse(State *state, Py_buffer *buffer, int narrow)
{
    Py_ssize_t row_bytes = STATE_FIELDS * (narrow ? (Py_ssize_t)sizeof(uint32_t) : (Py_ssize_t)sizeof(uint64_t));
    state->fields = buffer->buf;
    state->rows = buffer->len / row_bytes;
    return buffer->len % row_bytes == 0;
}

/* The block of closed intervals with reads: lifetime, lifetime from the first read, prefetch slack
 * and reads of each, its state row (slot) and its write's cycle (for the per-interval tables),
 * `emitted` of `capacity` filled. */
typedef struct {
    Py_buffer lifetime, from_first, slack, reads, slot, write;
    Py_ssize_t capacity, emitted;
} ClosedIntervals;

static int closed_intervals_parse(ClosedIntervals *out)
{
    out->capacity = out->lifetime.len / (Py_ssize_t)sizeof(int64_t);
    return out->from_first.len == out->lifetime.len && out->slack.len == out->lifetime.len
           && out->reads.len == out->lifetime.len && out->slot.len == out->lifetime.len
           && out->write.len == out->lifetime.len && out->emitted >= 0 && out->emitted <= out->capacity;
}

static void closed_intervals_release(ClosedIntervals *out)
{
    PyBuffer_Release(&out->lifetime);
    PyBuffer_Release(&out->from_first);
    PyBuffer_Release(&out->slack);
    PyBuffer_Release(&out->reads);
    PyBuffer_Release(&out->slot);
    PyBuffer_Release(&out->write);
}

/* Close the open interval of a state row: a dead write without reads, else one more closed interval. */
static inline int close_interval(const State *state, Py_ssize_t slot, ClosedIntervals *out, int64_t *counter,
                                 int narrow)
{
    uint64_t reads = get_field(state, slot, READS, narrow);
    if (reads == 0) {
        counter[DEAD_WRITES]++;
        return NEEDS_INPUT;
    }
    if (out->emitted == out->capacity)
        return OUTPUT_FULL;
    uint64_t write = get_field(state, slot, WRITE_FIELD, narrow) - WRITTEN_AT;
    uint64_t first = get_field(state, slot, FIRST_READ, narrow), last = get_field(state, slot, LAST_READ, narrow);
    /* write <= first read <= last read: only the widest difference can leave int64 */
    if (last - write > (uint64_t)INT64_MAX)
        return CYCLE_OUT_OF_RANGE;
    Py_ssize_t at = out->emitted++;
    ((int64_t *)out->lifetime.buf)[at] = (int64_t)(last - write);
    ((int64_t *)out->from_first.buf)[at] = (int64_t)(last - first);
    ((int64_t *)out->slack.buf)[at] = (int64_t)(first - write);
    ((int64_t *)out->reads.buf)[at] = (int64_t)reads;
    ((int64_t *)out->slot.buf)[at] = (int64_t)slot;
    /* the write's own cycle, an int64 event: base + its offset */
    ((int64_t *)out->write.buf)[at] = (int64_t)((uint64_t)counter[BASE] + write);
    return NEEDS_INPUT;
}

/* Two event streams (cycles and state slots), each consumed from its position. */
typedef struct {
    const int64_t *cycles, *slots;
    Py_ssize_t count, position;
    int final; /* no chunk follows */
} Events;

/* A write: closes its address's open interval and opens one. */
static inline int merge_write(State *state, Py_ssize_t slot, int64_t cycle, int64_t *counter, ClosedIntervals *out,
                              int narrow)
{
    if (cycle < counter[LAST_WRITE])
        return WRITE_BEFORE_FRONTIER;
    if (counter[LAST_WRITE] == NO_WRITE_YET)
        counter[BASE] = cycle;
    uint64_t offset = (uint64_t)cycle - (uint64_t)counter[BASE]; /* cycle >= base */
    if (offset > field_limit(narrow) - WRITTEN_AT)
        return narrow ? NEEDS_WIDER_STATE : CYCLE_OUT_OF_RANGE;
    int status;
    if (get_field(state, slot, WRITE_FIELD, narrow) >= WRITTEN_AT
        && (status = close_interval(state, slot, out, counter, narrow)) != NEEDS_INPUT)
        return status;
    set_field(state, slot, WRITE_FIELD, WRITTEN_AT + offset, narrow);
    set_field(state, slot, READS, 0, narrow);
    counter[LAST_WRITE] = cycle;
    return NEEDS_INPUT;
}

/* A read: counted into its address's open interval (first and last reads are a min and a max: a read
 * may arrive after a later one), or an unfilled read. */
static inline int merge_read(State *state, Py_ssize_t slot, int64_t cycle, int64_t *counter, int narrow)
{
    uint64_t write_field = get_field(state, slot, WRITE_FIELD, narrow);
    if (write_field < WRITTEN_AT) {
        set_field(state, slot, WRITE_FIELD, UNWRITTEN, narrow);
        counter[UNFILLED_READS]++;
        return NEEDS_INPUT;
    }
    uint64_t offset = (uint64_t)cycle - (uint64_t)counter[BASE];
    if (cycle < counter[BASE] || offset < write_field - WRITTEN_AT) /* a late read of an interval already closed */
        return READ_OF_CLOSED_INTERVAL;
    uint64_t reads = get_field(state, slot, READS, narrow);
    if (offset > field_limit(narrow) || reads == field_limit(narrow))
        return narrow ? NEEDS_WIDER_STATE : CYCLE_OUT_OF_RANGE;
    if (reads == 0 || offset < get_field(state, slot, FIRST_READ, narrow))
        set_field(state, slot, FIRST_READ, offset, narrow);
    if (reads == 0 || offset > get_field(state, slot, LAST_READ, narrow))
        set_field(state, slot, LAST_READ, offset, narrow);
    set_field(state, slot, READS, reads + 1, narrow);
    return NEEDS_INPUT;
}

/* The merge in cycle order (writes first at equal cycles), until a side runs out (unless it is final),
 * the block of closed intervals is full, an event does not fit the rows, or an event is out of order.
 * Inlined into merge_events once per width. Sets *bad_slot for a slot outside the state. */
static inline __attribute__((always_inline)) int merge_loop(Events *writes, Events *reads, State *state,
                                                            int64_t *counter, ClosedIntervals *out, int *bad_slot,
                                                            int narrow)
{
    for (;;) {
        int take_write;
        if (writes->position < writes->count && reads->position < reads->count)
            take_write = writes->cycles[writes->position] <= reads->cycles[reads->position]; /* ties: the write */
        else if (writes->position < writes->count && reads->final)
            take_write = 1;
        else if (reads->position < reads->count && writes->final)
            take_write = 0;
        else
            return NEEDS_INPUT; /* one side needs its next chunk, or both are done */
        Events *side = take_write ? writes : reads;
        int64_t cycle = side->cycles[side->position], slot = side->slots[side->position];
        if (cycle == NO_WRITE_YET)
            return CYCLE_OUT_OF_RANGE;
        if (slot < 0 || slot >= state->rows) {
            *bad_slot = 1;
            return NEEDS_INPUT;
        }
        int status = take_write ? merge_write(state, slot, cycle, counter, out, narrow)
                                : merge_read(state, slot, cycle, counter, narrow);
        if (status != NEEDS_INPUT)
            return status;
        side->position++;
    }
}

static PyObject *merge_events(PyObject *self, PyObject *args)
{
    Py_buffer write_cycles, write_slots, read_cycles, read_slots, state_buffer, counter_buffer;
    ClosedIntervals out;
    Events writes, reads;
    int narrow;
    if (!PyArg_ParseTuple(args, "y*y*npy*y*npw*pw*w*w*w*w*w*w*n", &write_cycles, &write_slots, &writes.position,
                          &writes.final, &read_cycles, &read_slots, &reads.position, &reads.final, &state_buffer,
                          &narrow, &counter_buffer, &out.lifetime, &out.from_first, &out.slack, &out.reads,
                          &out.slot, &out.write, &out.emitted))
        return NULL;
    PyObject *result = NULL;
    State state;
    writes.count = write_cycles.len / (Py_ssize_t)sizeof(int64_t);
    reads.count = read_cycles.len / (Py_ssize_t)sizeof(int64_t);
    if (write_slots.len != write_cycles.len || read_slots.len != read_cycles.len || writes.position < 0
        || writes.position > writes.count || reads.position < 0 || reads.position > reads.count
        || !state_parse(&state, &state_buffer, narrow)
        || counter_buffer.len != COUNTERS * (Py_ssize_t)sizeof(int64_t) || !closed_intervals_parse(&out)) {
        PyErr_SetString(PyExc_ValueError, "merge_events: inconsistent array sizes");
        goto done;
    }
    writes.cycles = (const int64_t *)write_cycles.buf;
    writes.slots = (const int64_t *)write_slots.buf;
    reads.cycles = (const int64_t *)read_cycles.buf;
    reads.slots = (const int64_t *)read_slots.buf;
    int64_t *counter = (int64_t *)counter_buffer.buf;
    int status, bad_slot = 0;
    Py_BEGIN_ALLOW_THREADS
    status = narrow ? merge_loop(&writes, &reads, &state, counter, &out, &bad_slot, 1)
                    : merge_loop(&writes, &reads, &state, counter, &out, &bad_slot, 0);
    Py_END_ALLOW_THREADS
    if (bad_slot)
        PyErr_SetString(PyExc_ValueError, "merge_events: an event's slot lies outside the state");
    else
        result = Py_BuildValue("nnni", writes.position, reads.position, out.emitted, status);
done:
    PyBuffer_Release(&write_cycles);
    PyBuffer_Release(&write_slots);
    PyBuffer_Release(&read_cycles);
    PyBuffer_Release(&read_slots);
    PyBuffer_Release(&state_buffer);
    PyBuffer_Release(&counter_buffer);
    closed_intervals_release(&out);
    return result;
}

/* The end of the layer: closes the open intervals of the state rows from `row`, until the block of
 * closed intervals is full; counts the rows seen (the footprint). */
static inline __attribute__((always_inline)) int close_loop(State *state, Py_ssize_t *row, int64_t *counter,
                                                            ClosedIntervals *out, Py_ssize_t *seen, int narrow)
{
    for (; *row < state->rows; ++*row) {
        uint64_t write_field = get_field(state, *row, WRITE_FIELD, narrow);
        int status;
        if (write_field >= WRITTEN_AT && (status = close_interval(state, *row, out, counter, narrow)) != NEEDS_INPUT)
            return status;
        *seen += write_field != UNSEEN;
    }
    return NEEDS_INPUT;
}

static PyObject *close_open_intervals(PyObject *self, PyObject *args)
{
    Py_buffer state_buffer, counter_buffer;
    ClosedIntervals out;
    Py_ssize_t row;
    int narrow;
    if (!PyArg_ParseTuple(args, "y*pnw*w*w*w*w*w*w*n", &state_buffer, &narrow, &row, &counter_buffer, &out.lifetime,
                          &out.from_first, &out.slack, &out.reads, &out.slot, &out.write, &out.emitted))
        return NULL;
    PyObject *result = NULL;
    State state;
    if (!state_parse(&state, &state_buffer, narrow) || row < 0 || row > state.rows
        || counter_buffer.len != COUNTERS * (Py_ssize_t)sizeof(int64_t) || !closed_intervals_parse(&out)) {
        PyErr_SetString(PyExc_ValueError, "close_open_intervals: inconsistent array sizes");
        goto done;
    }
    int64_t *counter = (int64_t *)counter_buffer.buf;
    Py_ssize_t seen = 0;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = narrow ? close_loop(&state, &row, counter, &out, &seen, 1) : close_loop(&state, &row, counter, &out, &seen, 0);
    Py_END_ALLOW_THREADS
    result = Py_BuildValue("nnni", row, out.emitted, seen, status);
done:
    PyBuffer_Release(&state_buffer);
    PyBuffer_Release(&counter_buffer);
    closed_intervals_release(&out);
    return result;
}

/* Sparse addresses -> dense slots, in order of first appearance: an open-addressing hash table
 * (linear probing; `table_keys` holds EMPTY_KEY where free, its size a power of two, the caller
 * keeps it at most half full). Writes each address's slot to `slots`; returns the slots in use. */
#define EMPTY_KEY INT64_MIN

/* Fibonacci hashing (the product's top bits) into a table of 2**(64 - shift) entries: consecutive
 * keys spread over the table. */
static inline size_t hash_slot(int64_t key, int shift)
{
    return (size_t)(((uint64_t)key * UINT64_C(0x9E3779B97F4A7C15)) >> shift);
}

static PyObject *address_slots(PyObject *self, PyObject *args)
{
    Py_buffer addresses, table_keys, table_slots, slots;
    Py_ssize_t used;
    if (!PyArg_ParseTuple(args, "y*w*w*nw*", &addresses, &table_keys, &table_slots, &used, &slots))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t count = addresses.len / (Py_ssize_t)sizeof(int64_t);
    size_t size = (size_t)(table_keys.len / (Py_ssize_t)sizeof(int64_t));
    if (slots.len != addresses.len || table_slots.len != table_keys.len || size < 2 || (size & (size - 1))
        || (size_t)(used + count) > size / 2) {
        PyErr_SetString(PyExc_ValueError, "address_slots: table too small or not a power of two");
        goto done;
    }
    const int64_t *address = (const int64_t *)addresses.buf;
    int64_t *key = (int64_t *)table_keys.buf, *value = (int64_t *)table_slots.buf, *out = (int64_t *)slots.buf;
    int empty_key_used = 0, shift = 64 - __builtin_ctzll((unsigned long long)size);
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        if (address[i] == EMPTY_KEY) {
            empty_key_used = 1;
            break;
        }
        size_t at = hash_slot(address[i], shift);
        while (key[at] != EMPTY_KEY && key[at] != address[i])
            at = (at + 1) & (size - 1);
        if (key[at] == EMPTY_KEY) {
            key[at] = address[i];
            value[at] = used++;
        }
        out[i] = value[at];
    }
    Py_END_ALLOW_THREADS
    if (empty_key_used)
        PyErr_SetString(PyExc_ValueError, "address_slots: address -2**63 is reserved");
    else
        result = PyLong_FromSsize_t(used);
done:
    PyBuffer_Release(&addresses);
    PyBuffer_Release(&table_keys);
    PyBuffer_Release(&table_slots);
    PyBuffer_Release(&slots);
    return result;
}

/* Exact histograms of closed intervals (gainflow.lifetimes.stream): distinct values -> (intervals,
 * reads) in an open-addressing table of rows {value, intervals, reads} (linear probing, a free row's
 * value EMPTY_KEY, its size a power of two, at most half full). Adds values[i] with counts[i]
 * intervals (1 each where `counts` is empty) and reads[i] reads, from `position` until the values end or
 * a new value would fill the table beyond half; returns (position, rows in use). */
enum { HISTOGRAM_VALUE, HISTOGRAM_INTERVALS, HISTOGRAM_READS, HISTOGRAM_FIELDS };

static PyObject *histogram_add(PyObject *self, PyObject *args)
{
    Py_buffer values, reads, counts, table;
    Py_ssize_t position, used;
    if (!PyArg_ParseTuple(args, "y*y*y*nw*n", &values, &reads, &counts, &position, &table, &used))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t count = values.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t row_bytes = HISTOGRAM_FIELDS * (Py_ssize_t)sizeof(int64_t);
    size_t size = (size_t)(table.len / row_bytes);
    if (reads.len != values.len || (counts.len != 0 && counts.len != values.len) || table.len % row_bytes
        || size < 2 || (size & (size - 1)) || used < 0 || (size_t)used > size / 2 || position < 0 || position > count) {
        PyErr_SetString(PyExc_ValueError, "histogram_add: inconsistent array sizes or table not a power of two");
        goto done;
    }
    const int64_t *value = (const int64_t *)values.buf, *read = (const int64_t *)reads.buf;
    const int64_t *intervals = counts.len ? (const int64_t *)counts.buf : NULL;
    int64_t *row = (int64_t *)table.buf;
    int empty_key_used = 0, shift = 64 - __builtin_ctzll((unsigned long long)size);
    Py_BEGIN_ALLOW_THREADS
    for (; position < count; position++) {
        if (value[position] == EMPTY_KEY) {
            empty_key_used = 1;
            break;
        }
        size_t at = hash_slot(value[position], shift);
        while (row[HISTOGRAM_FIELDS * at] != EMPTY_KEY && row[HISTOGRAM_FIELDS * at] != value[position])
            at = (at + 1) & (size - 1);
        int64_t *entry = row + HISTOGRAM_FIELDS * at;
        if (entry[HISTOGRAM_VALUE] == EMPTY_KEY) {
            if ((size_t)used == size / 2)
                break;
            entry[HISTOGRAM_VALUE] = value[position];
            entry[HISTOGRAM_INTERVALS] = entry[HISTOGRAM_READS] = 0;
            used++;
        }
        entry[HISTOGRAM_INTERVALS] += intervals ? intervals[position] : 1;
        entry[HISTOGRAM_READS] += read[position];
    }
    Py_END_ALLOW_THREADS
    if (empty_key_used)
        PyErr_SetString(PyExc_ValueError, "histogram_add: value -2**63 is reserved");
    else
        result = Py_BuildValue("nn", position, used);
done:
    PyBuffer_Release(&values);
    PyBuffer_Release(&reads);
    PyBuffer_Release(&counts);
    PyBuffer_Release(&table);
    return result;
}

static PyMethodDef methods[] = {
    {"format_rows", format_rows, METH_VARARGS,
     "format_rows(matrix, columns, prefix, suffix, text) -> length: CSV rows of a C-contiguous int64 matrix "
     "into the writable buffer `text`, each row led by `prefix`, each value followed by `suffix`."},
    {"text_bytes", text_bytes, METH_VARARGS,
     "text_bytes(rows, columns, prefix_length, suffix_length) -> the buffer size format_rows may need."},
    {"assign_reads", assign_reads, METH_VARARGS,
     "assign_reads(slot_keys, last_slot_by_address, cycle_bits, read_keys, interval_reads, first_read_key, "
     "last_read_key, unfilled) -> number of unfilled reads (see gainflow.lifetimes.LifetimeBuilder)."},
    {"bucket_by_address", bucket_by_address, METH_VARARGS,
     "bucket_by_address(write_keys, cycle_bits, last_slot_by_address, sorted_keys) -> whether sorted_keys is "
     "in key order (see gainflow.lifetimes.LifetimeBuilder)."},
    {"collect_intervals", collect_intervals, METH_VARARGS,
     "collect_intervals(slot_keys, interval_reads, first_read_key, last_read_key, cycle_bits, address_base, "
     "cycle_base, address, write_cycle, lifetime, reads, first_read_cycle, written) -> (intervals, distinct "
     "written addresses)."},
    {"set_order", set_order, METH_VARARGS,
     "set_order(values, set_size, ordered): each chunk of `set_size` distinct ints of `values` into `ordered` "
     "in CPython set iteration order."},
    {"merge_events", merge_events, METH_VARARGS,
     "merge_events(write_cycles, write_slots, write_position, writes_final, read_cycles, read_slots, "
     "read_position, reads_final, state, narrow, counters, lifetime, lifetime_from_first_read, prefetch_slack, "
     "interval_reads, slot, write_cycle, emitted) -> (write_position, read_position, emitted, status) (see "
     "gainflow.lifetimes.stream)."},
    {"close_open_intervals", close_open_intervals, METH_VARARGS,
     "close_open_intervals(state, narrow, row, counters, lifetime, lifetime_from_first_read, prefetch_slack, "
     "interval_reads, slot, write_cycle, emitted) -> (row, emitted, rows seen, status) (see gainflow.lifetimes.stream)."},
    {"histogram_add", histogram_add, METH_VARARGS,
     "histogram_add(values, reads, counts, position, table, used) -> (position, used) (see "
     "gainflow.lifetimes.stream)."},
    {"address_slots", address_slots, METH_VARARGS,
     "address_slots(addresses, table_keys, table_slots, used, slots) -> slots in use (see "
     "gainflow.lifetimes.stream)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernels", NULL, -1, methods};

PyMODINIT_FUNC PyInit__kernels(void)
{
    for (int i = 0; i < 100; i++) {
        digit_pairs[2 * i] = (char)('0' + i / 10);
        digit_pairs[2 * i + 1] = (char)('0' + i % 10);
    }
    PyObject *created = PyModule_Create(&module);
    if (created != NULL && PyModule_AddStringConstant(created, "SOURCE_SHA256", GAINFLOW_SOURCE_SHA256) < 0) {
        Py_DECREF(created);
        return NULL;
    }
    return created;
}
