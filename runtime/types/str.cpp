// str: immutable UTF-8 text. Construction and interning, CPython's exact hash
// (so that sets of strs iterate in CPython's order), and the type's slots. The
// methods are in str_methods.cpp, formatting in runtime/str_format.cpp.
//
// Interned strings (and the cached one-character strings, which are interned)
// live forever: the intern table is a root of the collector.
#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "runtime/str_format.h"
#include "runtime/types/str_util.h"
#include "runtime/unicode.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace apy::rt {

namespace {

// ------------------------------------------------------------------ interning

std::unordered_map<std::string_view, Str*>& intern_table() {
    static auto* table = new std::unordered_map<std::string_view, Str*>();
    return *table;
}

void mark_interned(Tracer& tracer) {
    for (const auto& entry : intern_table()) tracer.mark(entry.second);
}

Str* g_latin1_chars[256] = {};
Str* g_empty = nullptr;

// ---------------------------------------------------------------------- hash

// CPython's siphash13 with a zero key (PYTHONHASHSEED=0).
uint64_t rotate(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

void sip_round(uint64_t& v0, uint64_t& v1, uint64_t& v2, uint64_t& v3) {
    v0 += v1;
    v2 += v3;
    v1 = rotate(v1, 13) ^ v0;
    v3 = rotate(v3, 16) ^ v2;
    v0 = rotate(v0, 32);
    v2 += v1;
    v0 += v3;
    v1 = rotate(v1, 17) ^ v2;
    v3 = rotate(v3, 21) ^ v0;
    v2 = rotate(v2, 32);
}

uint64_t siphash13(const unsigned char* in, size_t size) {
    uint64_t b = static_cast<uint64_t>(size) << 56;
    uint64_t v0 = 0x736f6d6570736575ULL;
    uint64_t v1 = 0x646f72616e646f6dULL;
    uint64_t v2 = 0x6c7967656e657261ULL;
    uint64_t v3 = 0x7465646279746573ULL;
    while (size >= 8) {
        uint64_t m = 0;
        for (int i = 7; i >= 0; --i) m = (m << 8) | in[i];
        in += 8;
        size -= 8;
        v3 ^= m;
        sip_round(v0, v1, v2, v3);
        v0 ^= m;
    }
    uint64_t t = 0;
    for (size_t i = size; i-- > 0;) t = (t << 8) | in[i];
    b |= t;
    v3 ^= b;
    sip_round(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    sip_round(v0, v1, v2, v3);
    sip_round(v0, v1, v2, v3);
    sip_round(v0, v1, v2, v3);
    return (v0 ^ v1) ^ (v2 ^ v3);
}

// The hash of CPython's internal form of the text: 1, 2 or 4 bytes per code point
// (little-endian), the narrowest that holds the largest code point.
int64_t compute_hash(const Str* s) {
    if (s->size == 0) return 0;
    uint64_t h;
    if (s->ascii) {
        h = siphash13(reinterpret_cast<const unsigned char*>(s->data), s->size);
    } else {
        std::vector<uint32_t> cps = str_code_points(s);
        uint32_t max = 0;
        for (uint32_t cp : cps) max = std::max(max, cp);
        int width = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
        std::vector<unsigned char> bytes;
        bytes.reserve(cps.size() * width);
        for (uint32_t cp : cps)
            for (int i = 0; i < width; ++i)
                bytes.push_back(static_cast<unsigned char>(cp >> (8 * i)));
        h = siphash13(bytes.data(), bytes.size());
    }
    int64_t result = static_cast<int64_t>(h);
    return result == -1 ? -2 : result;
}

// ---------------------------------------------------------------------- slots

Str* self_str(Value v) { return as<Str>(v); }

Value str_repr(Value self) { return str_result(repr_of_str(str_view(self))); }

Value str_str(Value self) {
    if (type_of(self) == types.str_) return self;
    return str_result(str_view(self));
}

bool str_hash_slot(Value self, int64_t* out) {
    Str* s = self_str(self);
    if (s->hash == -1) s->hash = compute_hash(s);
    *out = s->hash;
    return true;
}

Value str_compare(Value a, Value b, CompareOp op) {
    if (!is_str(a) || !is_str(b)) return Value::not_implemented();
    std::string_view x = str_view(a), y = str_view(b);
    switch (op) {
    case CompareOp::Eq: return Value::boolean(x == y);
    case CompareOp::Ne: return Value::boolean(x != y);
    default: break;
    }
    // UTF-8 byte order is code point order.
    int c = x.compare(y);
    switch (op) {
    case CompareOp::Lt: return Value::boolean(c < 0);
    case CompareOp::Le: return Value::boolean(c <= 0);
    case CompareOp::Gt: return Value::boolean(c > 0);
    default: return Value::boolean(c >= 0);
    }
}

Value concat(Str* a, Str* b) {
    if (a->size == 0 && type_of(Value::object(b)) == types.str_) return Value::object(b);
    if (b->size == 0 && type_of(Value::object(a)) == types.str_) return Value::object(a);
    Str* r = alloc_str(types.str_, a->size + b->size);
    std::memcpy(r->data, a->data, a->size);
    std::memcpy(r->data + a->size, b->data, b->size);
    r->length = a->length + b->length;
    r->ascii = a->ascii && b->ascii;
    return Value::object(r);
}

Value repeat(Str* s, Value count) {
    int64_t n;
    int ok = repeat_count(count, &n);
    if (ok <= 0) return ok == 0 ? Value::not_implemented() : Value::null();
    if (n <= 0 || s->size == 0) return str_result("");
    if (n == 1 && type_of(Value::object(s)) == types.str_) return Value::object(s);
    if (s->size > INT64_MAX / n) return raise(exc.OverflowError, "repeated string is too long");
    if (!check_allocation(n, s->size)) return Value::null();
    size_t total = static_cast<size_t>(s->size * n);
    Str* r = alloc_str(types.str_, total);
    // Doubling copies, as CPython: "x" * 2**30 is 30 memcpy calls, not 2**30.
    std::memcpy(r->data, s->data, s->size);
    for (size_t done = s->size; done < total;) {
        size_t chunk = std::min(done, total - done);
        std::memcpy(r->data + done, r->data, chunk);
        done += chunk;
    }
    r->length = s->length * n;
    r->ascii = s->ascii;
    return Value::object(r);
}

Value str_binary(BinaryOp op, Value a, Value b) {
    switch (op) {
    case BinaryOp::Add:
        if (is_str(a) && is_str(b)) return concat(self_str(a), self_str(b));
        return Value::not_implemented();
    case BinaryOp::Multiply:
        if (is_str(a)) return repeat(self_str(a), b);
        return repeat(self_str(b), a);
    case BinaryOp::Remainder:
        if (is_str(a)) return str_percent_format(a, b);
        return Value::not_implemented();
    default: return Value::not_implemented();
    }
}

int str_truth(Value self) { return self_str(self)->size != 0; }

bool str_length(Value self, int64_t* out) {
    *out = self_str(self)->length;
    return true;
}

// Iterators: source is the str, index the byte offset of the next character.
Type* g_ascii_iterator_type = nullptr;
Type* g_iterator_type = nullptr;

Value str_iter(Value self) {
    Type* type = self_str(self)->ascii ? g_ascii_iterator_type : g_iterator_type;
    Iterator* it = heap().make<Iterator>(type);
    it->source = self;
    return Value::object(it);
}

Value str_iterator_next(Value self) {
    Iterator* it = as<Iterator>(self);
    if (it->source.is_null()) return Value::null();
    std::string_view s = str_view(it->source);
    if (static_cast<size_t>(it->index) >= s.size()) {
        it->source = Value::null();
        return Value::null();
    }
    size_t pos = static_cast<size_t>(it->index);
    uint32_t cp = utf8_decode(s, pos);
    it->index = static_cast<int64_t>(pos);
    return char_str(cp);
}

Value str_iterator_iter(Value self) { return self; }

void trace_str_iterator(Object* self, Tracer& tracer) {
    tracer.mark(static_cast<Iterator*>(self)->source);
}

Value slice_of(Str* s, int64_t start, int64_t step, int64_t count) {
    if (count <= 0) return str_result("");
    if (step == 1) {
        if (count == s->length && type_of(Value::object(s)) == types.str_) return Value::object(s);
        size_t from = str_offset(s, start);
        size_t to = s->ascii ? from + count : from + utf8_offset(s->view().substr(from), count);
        return str_result(s->view().substr(from, to - from));
    }
    std::string out;
    if (s->ascii) {
        out.reserve(count);
        for (int64_t i = 0, at = start; i < count; ++i, at += step) out += s->data[at];
        return str_result(out);
    }
    std::vector<uint32_t> cps = str_code_points(s);
    for (int64_t i = 0, at = start; i < count; ++i, at += step) utf8_encode(cps[at], out);
    return str_result(out);
}

Value str_getitem(Value self, Value key) {
    Str* s = self_str(self);
    if (is_layout(key, Layout::Slice)) {
        int64_t start, stop, step, count;
        if (!slice_indices(as<Slice>(key), s->length, &start, &stop, &step, &count))
            return Value::null();
        return slice_of(s, start, step, count);
    }
    if (!is_int(key) && lookup_in_type(type_of(key), intern("__index__")).is_null())
        return raise_format(exc.TypeError, "string indices must be integers, not '%s'",
                            type_name(key).c_str());
    int64_t i;
    if (!sequence_index(key, s->length, "string", &i)) return Value::null();
    if (i < 0 || i >= s->length) return raise(exc.IndexError, "string index out of range");
    if (s->ascii) return char_str(static_cast<unsigned char>(s->data[i]));
    size_t pos = str_offset(s, i);
    return char_str(utf8_decode(s->view(), pos));
}

int str_contains(Value self, Value item) {
    if (!is_str(item)) {
        raise_format(exc.TypeError, "'in <string>' requires string as left operand, not %s",
                     type_name(item).c_str());
        return -1;
    }
    return str_view(self).find(str_view(item)) != std::string_view::npos;
}

Value str_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    if (type == types.str_ && nargs == 1 && !kwnames) return to_str(args[0]);  // str(x)
    Value bound[3];
    if (!bind_keywords("str", args, nargs, kwnames, {"object", "encoding", "errors"}, bound))
        return Value::null();
    if (!bound[0].is_null() && (!bound[1].is_null() || !bound[2].is_null()))
        return raise_format(exc.TypeError, "decoding to str: need a bytes-like object, %s found",
                            type_name(bound[0]).c_str());
    Value text = bound[0].is_null() ? str_result("") : to_str(bound[0]);
    if (text.is_null() || type == types.str_) return text;
    return Value::object(make_str_of_type(type, str_view(text)));
}

// The dunder methods, for explicit calls (str.__add__, super().__eq__ in subclasses).
bool dunder_args(const char* name, int nargs, Tuple* kwnames, int count) {
    if (!check_no_kwargs(name, kwnames)) return false;
    if (nargs - 1 == count) return true;
    raise_format(exc.TypeError, "expected %d argument%s, got %d", count, count == 1 ? "" : "s",
                 nargs - 1);
    return false;
}

template <CompareOp Op> Value str_compare_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("compare", nargs, kwnames, 1)) return Value::null();
    return str_compare(args[0], args[1], Op);
}

template <BinaryOp Op, bool Reflected>
Value str_binary_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("operator", nargs, kwnames, 1)) return Value::null();
    if (Reflected) {
        if (Op == BinaryOp::Remainder && !is_str(args[1])) return Value::not_implemented();
        return str_binary(Op, args[1], args[0]);
    }
    if (Op == BinaryOp::Add && !is_str(args[1]))
        return raise_format(exc.TypeError, "can only concatenate str (not \"%s\") to str",
                            type_name(args[1]).c_str());
    return str_binary(Op, args[0], args[1]);
}

Value str_len_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("__len__", nargs, kwnames, 0)) return Value::null();
    return make_int(self_str(args[0])->length);
}

Value str_hash_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("__hash__", nargs, kwnames, 0)) return Value::null();
    int64_t h;
    str_hash_slot(args[0], &h);
    return make_int(h);
}

Value str_getitem_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("__getitem__", nargs, kwnames, 1)) return Value::null();
    return str_getitem(args[0], args[1]);
}

Value str_contains_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("__contains__", nargs, kwnames, 1)) return Value::null();
    int r = str_contains(args[0], args[1]);
    return r < 0 ? Value::null() : Value::boolean(r);
}

Value str_iter_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("__iter__", nargs, kwnames, 0)) return Value::null();
    return str_iter(args[0]);
}

Value str_repr_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("__repr__", nargs, kwnames, 0)) return Value::null();
    return str_repr(args[0]);
}

Value str_str_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("__str__", nargs, kwnames, 0)) return Value::null();
    return str_str(args[0]);
}

Value str_getnewargs(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("__getnewargs__", nargs, kwnames, 0)) return Value::null();
    Value copy = str_result(str_view(args[0]));
    return Value::object(make_tuple(&copy, 1));
}

const MethodDef kStrDunders[] = {
    {"__eq__", str_compare_method<CompareOp::Eq>},
    {"__ne__", str_compare_method<CompareOp::Ne>},
    {"__lt__", str_compare_method<CompareOp::Lt>},
    {"__le__", str_compare_method<CompareOp::Le>},
    {"__gt__", str_compare_method<CompareOp::Gt>},
    {"__ge__", str_compare_method<CompareOp::Ge>},
    {"__add__", str_binary_method<BinaryOp::Add, false>},
    {"__mul__", str_binary_method<BinaryOp::Multiply, false>},
    {"__rmul__", str_binary_method<BinaryOp::Multiply, true>},
    {"__mod__", str_binary_method<BinaryOp::Remainder, false>},
    {"__rmod__", str_binary_method<BinaryOp::Remainder, true>},
    {"__len__", str_len_method},
    {"__hash__", str_hash_method},
    {"__getitem__", str_getitem_method},
    {"__contains__", str_contains_method},
    {"__iter__", str_iter_method},
    {"__repr__", str_repr_method},
    {"__str__", str_str_method},
    {"__getnewargs__", str_getnewargs},
    {nullptr, nullptr},
};

Value str_iterator_next_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("__next__", nargs, kwnames, 0)) return Value::null();
    Value v = str_iterator_next(args[0]);
    if (v.is_null() && !has_pending()) return raise_value(Value::object(exc.StopIteration));
    return v;
}

Value str_iterator_iter_method(Value* args, int nargs, Tuple* kwnames) {
    if (!dunder_args("__iter__", nargs, kwnames, 0)) return Value::null();
    return args[0];
}

const MethodDef kStrIteratorMethods[] = {
    {"__next__", str_iterator_next_method},
    {"__iter__", str_iterator_iter_method},
    {nullptr, nullptr},
};

Type* make_str_iterator_type(const char* name) {
    // Layout::Other: the containers' code reads Layout::Iterator objects by their kind.
    Type* type = make_builtin_type(name, Layout::Other);
    type->iter = str_iterator_iter;
    type->next = str_iterator_next;
    type->trace = trace_str_iterator;
    add_methods(type, kStrIteratorMethods);
    return type;
}

}  // namespace

// ---------------------------------------------------------------- constructors

Str* alloc_str(Type* type, size_t size) {
    Str* s = heap().make_sized<Str>(type, size);
    s->size = static_cast<int64_t>(size);
    s->data[size] = '\0';
    return s;
}

void finish_str(Str* s) {
    int64_t continuation = 0;
    bool ascii = true;
    for (int64_t i = 0; i < s->size; ++i) {
        auto c = static_cast<unsigned char>(s->data[i]);
        if (c >= 0x80) {
            ascii = false;
            continuation += (c & 0xC0) == 0x80;
        }
    }
    s->length = s->size - continuation;
    s->ascii = ascii;
}

Str* make_str_of_type(Type* type, std::string_view utf8) {
    Str* s = alloc_str(type, utf8.size());
    if (!utf8.empty()) std::memcpy(s->data, utf8.data(), utf8.size());
    finish_str(s);
    return s;
}

Str* make_str(std::string_view utf8) {
    // Empty and one-character strings are shared (they are very common).
    if (utf8.empty()) {
        if (!g_empty) g_empty = intern("");
        return g_empty;
    }
    if (utf8.size() == 1 && static_cast<unsigned char>(utf8[0]) < 0x80)
        return as<Str>(char_str(static_cast<unsigned char>(utf8[0])));
    return make_str_of_type(types.str_, utf8);
}

Value str_value(std::string_view utf8) { return Value::object(make_str(utf8)); }

Str* intern(std::string_view utf8) {
    auto& table = intern_table();
    auto found = table.find(utf8);
    if (found != table.end()) return found->second;
    static bool rooted = false;
    if (!rooted) {
        heap().add_root_provider(mark_interned);
        rooted = true;
    }
    Str* s = make_str_of_type(types.str_, utf8);
    s->interned = true;
    table.emplace(s->view(), s);
    return s;
}

Value char_str(uint32_t cp) {
    if (cp < 0x100) {
        if (!g_latin1_chars[cp]) {
            std::string text;
            utf8_encode(cp, text);
            g_latin1_chars[cp] = intern(text);
        }
        return Value::object(g_latin1_chars[cp]);
    }
    std::string text;
    utf8_encode(cp, text);
    return Value::object(make_str_of_type(types.str_, text));
}

size_t str_offset(const Str* s, int64_t index) {
    if (s->ascii) return static_cast<size_t>(index);
    return utf8_offset(s->view(), index);
}

int64_t str_index(const Str* s, size_t offset) {
    if (s->ascii) return static_cast<int64_t>(offset);
    return utf8_index(s->view(), offset);
}

std::vector<uint32_t> str_code_points(const Str* s) {
    std::vector<uint32_t> out;
    out.reserve(s->length);
    std::string_view view = s->view();
    size_t pos = 0;
    while (pos < view.size()) out.push_back(utf8_decode(view, pos));
    return out;
}

Str* str_arg(Value v) {
    if (is_str(v)) return as<Str>(v);
    raise_format(exc.TypeError, "must be str, not %s", type_name(v).c_str());
    return nullptr;
}

bool slice_index_arg(Value v, int64_t* out) {
    return clamped_index(v, "slice indices must be integers or None or have an __index__ method",
                         out);
}

bool bind_keywords(const char* name, const Value* args, int nargs, Tuple* kwnames,
                   std::initializer_list<const char*> names, Value* out) {
    int count = static_cast<int>(names.size());
    int total = nargs + (kwnames ? static_cast<int>(kwnames->size) : 0);
    for (int i = 0; i < count; ++i) out[i] = Value::null();
    if (total > count) {
        raise_format(exc.TypeError, "%s() takes at most %d %sargument%s (%d given)", name, count,
                     nargs == 0 ? "keyword " : "", count == 1 ? "" : "s", total);
        return false;
    }
    for (int i = 0; i < nargs; ++i) out[i] = args[i];
    if (!kwnames) return true;
    for (int64_t k = 0; k < kwnames->size; ++k) {
        std::string_view key = str_view(kwnames->items[k]);
        int target = -1;
        for (int i = 0; i < count; ++i)
            if (key == names.begin()[i]) target = i;
        if (target < 0) {
            raise_format(exc.TypeError, "'%.*s' is an invalid keyword argument for %s()",
                         static_cast<int>(key.size()), key.data(), name);
            return false;
        }
        if (!out[target].is_null()) {
            raise_format(exc.TypeError,
                         "argument for %s() given by name ('%.*s') and position (%d)", name,
                         static_cast<int>(key.size()), key.data(), target + 1);
            return false;
        }
        out[target] = args[nargs + k];
    }
    return true;
}

void adjust_indices(int64_t* start, int64_t* end, int64_t length) {
    if (*end > length) {
        *end = length;
    } else if (*end < 0) {
        *end += length;
        if (*end < 0) *end = 0;
    }
    if (*start < 0) {
        *start += length;
        if (*start < 0) *start = 0;
    }
}

void setup_str_type() {
    Type* t = types.str_;
    t->repr = str_repr;
    t->str = str_str;
    t->hash = str_hash_slot;
    t->compare = str_compare;
    t->binary = str_binary;
    t->truth = str_truth;
    t->length = str_length;
    t->iter = str_iter;
    t->getitem = str_getitem;
    t->contains = str_contains;
    t->new_instance = str_new;
    // A str holds no references; an explicit no-op keeps object's tracer from being inherited.
    t->trace = [](Object*, Tracer&) {};
    add_methods(t, kStrDunders);
    add_str_methods(t);
    add_str_format_methods(t);
    g_ascii_iterator_type = make_str_iterator_type("str_ascii_iterator");
    g_iterator_type = make_str_iterator_type("str_iterator");
}

}  // namespace apy::rt
