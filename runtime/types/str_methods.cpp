// The methods of str (except formatting, in runtime/str_format.cpp). Searching
// works on UTF-8 bytes (a match of valid UTF-8 always starts on a character
// boundary) and converts offsets to code point indexes at the edges; ASCII
// strings skip the conversions.
#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/types/str_util.h"
#include "runtime/unicode.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace apy::rt {

namespace {

Str* self_of(Value* args) { return as<Str>(args[0]); }

Value tuple3(Value a, Value b, Value c) {
    Value items[3] = {a, b, c};
    return Value::object(make_tuple(items, 3));
}

// Methods in the old "find(sub[, start[, end]])" style, which word their arity errors differently.
bool search_args(const char* name, int nargs, Tuple* kwnames) {
    std::string qualified = std::string("str.") + name;
    if (!check_no_kwargs(qualified.c_str(), kwnames)) return false;
    int given = nargs - 1;
    if (given < 1) {
        raise_format(exc.TypeError, "%s() takes at least 1 argument (%d given)", name, given);
        return false;
    }
    if (given > 3) {
        raise_format(exc.TypeError, "%s() takes at most 3 arguments (%d given)", name, given);
        return false;
    }
    return true;
}

// A Py_ssize_t argument: ints (and __index__) only, OverflowError past 64 bits.
bool ssize_arg(Value v, int64_t* out) {
    if (is_int(v) && !v.is_small_int() && !v.is_bool() && !int_to_int64(v, out)) {
        raise(exc.OverflowError, "Python int too large to convert to C ssize_t");
        return false;
    }
    return to_index(v, out);
}

// The optional start/end arguments of find & co as code point indexes, clamped.
bool search_range(const Value* args, int count, int64_t length, int64_t* start, int64_t* end) {
    *start = 0;
    *end = INT64_MAX;
    if (count > 0 && !args[0].is_none() && !slice_index_arg(args[0], start)) return false;
    if (count > 1 && !args[1].is_none() && !slice_index_arg(args[1], end)) return false;
    adjust_indices(start, end, length);
    return true;
}

std::string_view byte_range(const Str* s, int64_t start, int64_t end, size_t* from) {
    *from = str_offset(s, start);
    size_t to = str_offset(s, end);
    return s->view().substr(*from, to - *from);
}

// ------------------------------------------------------------------- searching

// Index of [sub] in s[start:end] (first, or last when [reverse]), or -1.
int64_t find_in(const Str* s, std::string_view sub, int64_t start, int64_t end, bool reverse) {
    if (start > s->length || end - start < 0) return -1;
    if (sub.empty()) return reverse ? end : start;
    size_t from;
    std::string_view hay = byte_range(s, start, end, &from);
    size_t at = reverse ? hay.rfind(sub) : hay.find(sub);
    if (at == std::string_view::npos) return -1;
    return str_index(s, from + at);
}

Value find_common(const char* name, Value* args, int nargs, Tuple* kwnames, bool reverse,
                  bool raise_missing) {
    if (!search_args(name, nargs, kwnames)) return Value::null();
    Str* s = self_of(args);
    Str* sub = str_arg(args[1]);
    if (!sub) return Value::null();
    int64_t start, end;
    if (!search_range(args + 2, nargs - 2, s->length, &start, &end)) return Value::null();
    int64_t at = find_in(s, sub->view(), start, end, reverse);
    if (at < 0 && raise_missing) return raise(exc.ValueError, "substring not found");
    return make_int(at);
}

Value str_find(Value* a, int n, Tuple* k) { return find_common("find", a, n, k, false, false); }
Value str_rfind(Value* a, int n, Tuple* k) { return find_common("rfind", a, n, k, true, false); }
Value str_index_m(Value* a, int n, Tuple* k) { return find_common("index", a, n, k, false, true); }
Value str_rindex(Value* a, int n, Tuple* k) { return find_common("rindex", a, n, k, true, true); }

Value str_count(Value* args, int nargs, Tuple* kwnames) {
    if (!search_args("count", nargs, kwnames)) return Value::null();
    Str* s = self_of(args);
    Str* sub = str_arg(args[1]);
    if (!sub) return Value::null();
    int64_t start, end;
    if (!search_range(args + 2, nargs - 2, s->length, &start, &end)) return Value::null();
    if (start > s->length || end < start) return make_int(0);
    if (sub->size == 0) return make_int(end - start + 1);
    size_t from;
    std::string_view hay = byte_range(s, start, end, &from);
    int64_t count = 0;
    for (size_t at = hay.find(sub->view()); at != std::string_view::npos;
         at = hay.find(sub->view(), at + sub->size))
        ++count;
    return make_int(count);
}

// startswith / endswith: [prefix] is a str or a tuple of strs.
Value affix_common(const char* name, Value* args, int nargs, Tuple* kwnames, bool at_end) {
    if (!search_args(name, nargs, kwnames)) return Value::null();
    Str* s = self_of(args);
    int64_t start, end;
    if (!search_range(args + 2, nargs - 2, s->length, &start, &end)) return Value::null();
    auto matches = [&](const Str* affix) {
        if (start > s->length) return false;
        if (end - start < affix->length) return false;
        size_t from;
        std::string_view range = byte_range(s, start, end, &from);
        std::string_view a = affix->view();
        return at_end ? range.size() >= a.size() && range.substr(range.size() - a.size()) == a
                      : range.substr(0, a.size()) == a;
    };
    Value prefix = args[1];
    if (is_str(prefix)) return Value::boolean(matches(as<Str>(prefix)));
    if (is_layout(prefix, Layout::Tuple)) {
        Tuple* t = as<Tuple>(prefix);
        for (int64_t i = 0; i < t->size; ++i) {
            if (!is_str(t->items[i]))
                return raise_format(exc.TypeError, "tuple for %s must only contain str, not %s",
                                    name, type_name(t->items[i]).c_str());
            if (matches(as<Str>(t->items[i]))) return Value::boolean(true);
        }
        return Value::boolean(false);
    }
    return raise_format(exc.TypeError, "%s first arg must be str or a tuple of str, not %s", name,
                        type_name(prefix).c_str());
}

Value str_startswith(Value* a, int n, Tuple* k) {
    return affix_common("startswith", a, n, k, false);
}
Value str_endswith(Value* a, int n, Tuple* k) { return affix_common("endswith", a, n, k, true); }

// ------------------------------------------------------------------ splitting

// The previous code point before byte [pos] (moved back onto its start).
uint32_t decode_before(std::string_view s, size_t& pos) {
    size_t start = pos - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    pos = start;
    size_t at = start;
    return utf8_decode(s, at);
}

bool space_at(std::string_view s, size_t pos, size_t* next) {
    *next = pos;
    return is_space(utf8_decode(s, *next));
}

bool split_args(const char* name, Value* args, int nargs, Tuple* kwnames, Str** sep,
                int64_t* maxsplit) {
    Value bound[2];
    if (!bind_keywords(name, args + 1, nargs - 1, kwnames, {"sep", "maxsplit"}, bound))
        return false;
    *sep = nullptr;
    if (!bound[0].is_null() && !bound[0].is_none()) {
        if (!is_str(bound[0])) {
            raise_format(exc.TypeError, "must be str or None, not %s", type_name(bound[0]).c_str());
            return false;
        }
        *sep = as<Str>(bound[0]);
        if ((*sep)->size == 0) {
            raise(exc.ValueError, "empty separator");
            return false;
        }
    }
    *maxsplit = -1;
    if (!bound[1].is_null() && !ssize_arg(bound[1], maxsplit)) return false;
    if (*maxsplit < 0) *maxsplit = INT64_MAX;
    return true;
}

Value str_split(Value* args, int nargs, Tuple* kwnames) {
    Str* sep;
    int64_t maxsplit;
    if (!split_args("split", args, nargs, kwnames, &sep, &maxsplit)) return Value::null();
    std::string_view s = self_of(args)->view();
    List* out = make_list();
    if (sep) {
        std::string_view d = sep->view();
        size_t start = 0;
        while (maxsplit-- > 0) {
            size_t at = s.find(d, start);
            if (at == std::string_view::npos) break;
            list_append(out, str_result(s.substr(start, at - start)));
            start = at + d.size();
        }
        list_append(out, str_result(s.substr(start)));
        return Value::object(out);
    }
    size_t i = 0, next;
    while (maxsplit-- > 0) {
        while (i < s.size() && space_at(s, i, &next)) i = next;
        if (i == s.size()) break;
        size_t j = i;
        while (i < s.size() && !space_at(s, i, &next)) i = next;
        list_append(out, str_result(s.substr(j, i - j)));
    }
    if (i < s.size()) {
        while (i < s.size() && space_at(s, i, &next)) i = next;
        if (i != s.size()) list_append(out, str_result(s.substr(i)));
    }
    return Value::object(out);
}

Value str_rsplit(Value* args, int nargs, Tuple* kwnames) {
    Str* sep;
    int64_t maxsplit;
    if (!split_args("rsplit", args, nargs, kwnames, &sep, &maxsplit)) return Value::null();
    std::string_view s = self_of(args)->view();
    List* out = make_list();
    if (sep) {
        std::string_view d = sep->view();
        size_t end = s.size();
        while (maxsplit-- > 0 && end >= d.size()) {
            size_t at = s.substr(0, end).rfind(d);
            if (at == std::string_view::npos) break;
            list_append(out, str_result(s.substr(at + d.size(), end - at - d.size())));
            end = at;
        }
        list_append(out, str_result(s.substr(0, end)));
    } else {
        size_t i = s.size();
        auto space_before = [&](size_t pos, size_t* prev) {
            *prev = pos;
            return is_space(decode_before(s, *prev));
        };
        size_t prev;
        while (maxsplit-- > 0) {
            while (i > 0 && space_before(i, &prev)) i = prev;
            if (i == 0) break;
            size_t j = i;
            while (i > 0 && !space_before(i, &prev)) i = prev;
            list_append(out, str_result(s.substr(i, j - i)));
        }
        if (i > 0) {
            while (i > 0 && space_before(i, &prev)) i = prev;
            if (i != 0) list_append(out, str_result(s.substr(0, i)));
        }
    }
    std::reverse(out->items.begin(), out->items.end());
    return Value::object(out);
}

Value str_splitlines(Value* args, int nargs, Tuple* kwnames) {
    Value bound[1];
    if (!bind_keywords("splitlines", args + 1, nargs - 1, kwnames, {"keepends"}, bound))
        return Value::null();
    bool keepends = false;
    if (!bound[0].is_null()) {
        if (bound[0].is_double())
            return raise(exc.TypeError, "'float' object cannot be interpreted as an integer");
        int t = truthy(bound[0]);
        if (t < 0) return Value::null();
        keepends = t;
    }
    std::string_view s = self_of(args)->view();
    List* out = make_list();
    size_t i = 0;
    while (i < s.size()) {
        size_t start = i, eol;
        while (true) {
            eol = i;
            if (i >= s.size()) break;
            size_t next = i;
            uint32_t cp = utf8_decode(s, next);
            if (is_linebreak(cp)) {
                i = next;
                if (cp == '\r' && i < s.size() && s[i] == '\n') ++i;
                break;
            }
            i = next;
        }
        list_append(out, str_result(s.substr(start, (keepends ? i : eol) - start)));
    }
    return Value::object(out);
}

Value partition_common(const char* name, Value* args, int nargs, Tuple* kwnames, bool reverse) {
    if (!method_args(name, nargs, kwnames, 1, 1)) return Value::null();
    Value self = args[0];
    Str* sep = str_arg(args[1]);
    if (!sep) return Value::null();
    if (sep->size == 0) return raise(exc.ValueError, "empty separator");
    std::string_view s = str_view(self);
    size_t at = reverse ? s.rfind(sep->view()) : s.find(sep->view());
    Value empty = str_result("");
    if (at == std::string_view::npos)
        return reverse ? tuple3(empty, empty, self) : tuple3(self, empty, empty);
    return tuple3(str_result(s.substr(0, at)), args[1], str_result(s.substr(at + sep->size)));
}

Value str_partition(Value* a, int n, Tuple* k) {
    return partition_common("str.partition", a, n, k, false);
}
Value str_rpartition(Value* a, int n, Tuple* k) {
    return partition_common("str.rpartition", a, n, k, true);
}

Value str_join(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("str.join", nargs, kwnames, 1, 1)) return Value::null();
    Str* sep = self_of(args);
    Value iterable = args[1];
    // Items from an iterator may be made by apy code: keep them in a rooted list.
    if (!is_layout(iterable, Layout::List) && !is_layout(iterable, Layout::Tuple)) {
        if (!type_of(iterable)->iter) return raise(exc.TypeError, "can only join an iterable");
        Value it = get_iter(iterable);
        if (it.is_null()) return it;
        Root keep_it(it);
        List* collected = make_list();
        Root keep_list(Value::object(collected));
        for (Value item = iter_next(it); !item.is_null(); item = iter_next(it))
            list_append(collected, item);
        if (has_pending()) return Value::null();
        iterable = Value::object(collected);
    }
    std::vector<Value> items;
    if (is_layout(iterable, Layout::List)) {
        items = as<List>(iterable)->items;
    } else {
        Tuple* t = as<Tuple>(iterable);
        items.assign(t->items, t->items + t->size);
    }
    size_t total = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        if (!is_str(items[i]))
            return raise_format(exc.TypeError, "sequence item %zu: expected str instance, %s found",
                                i, type_name(items[i]).c_str());
        total += as<Str>(items[i])->size;
    }
    if (items.size() == 1 && type_of(items[0]) == types.str_) return items[0];
    if (!items.empty()) total += sep->size * (items.size() - 1);
    if (!check_allocation(static_cast<int64_t>(total), 1)) return Value::null();
    Str* r = alloc_str(types.str_, total);
    char* p = r->data;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) {
            std::memcpy(p, sep->data, sep->size);
            p += sep->size;
        }
        Str* item = as<Str>(items[i]);
        std::memcpy(p, item->data, item->size);
        p += item->size;
    }
    finish_str(r);
    return Value::object(r);
}

Value str_replace(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("str.replace", kwnames) || !check_arg_count("replace", nargs - 1, 2, 3))
        return Value::null();
    Str* s = self_of(args);
    for (int i = 1; i <= 2; ++i)
        if (!is_str(args[i]))
            return raise_format(exc.TypeError, "replace() argument %d must be str, not %s", i,
                                type_name(args[i]).c_str());
    std::string_view old = str_view(args[1]), repl = str_view(args[2]);
    int64_t count = -1;
    if (nargs > 3 && !ssize_arg(args[3], &count)) return Value::null();
    if (count < 0) count = INT64_MAX;
    std::string_view text = s->view();
    std::string out;
    if (old.empty()) {
        // Insert [repl] before every character and at the end.
        size_t pos = 0;
        while (count > 0 && pos <= text.size()) {
            out += repl;
            --count;
            if (pos == text.size()) {
                pos = text.size() + 1;
                break;
            }
            size_t next = pos + utf8_lead_width(static_cast<unsigned char>(text[pos]));
            out += text.substr(pos, next - pos);
            pos = next;
        }
        if (pos <= text.size()) out += text.substr(pos);
        return str_result(out);
    }
    size_t pos = 0;
    while (count-- > 0) {
        size_t at = text.find(old, pos);
        if (at == std::string_view::npos) break;
        out += text.substr(pos, at - pos);
        out += repl;
        pos = at + old.size();
    }
    if (pos == 0 && type_of(args[0]) == types.str_) return args[0];
    out += text.substr(pos);
    return str_result(out);
}

// ------------------------------------------------------------------ stripping

Value strip_common(const char* name, Value* args, int nargs, Tuple* kwnames, bool left,
                   bool right) {
    std::string qualified = std::string("str.") + name;
    if (!check_no_kwargs(qualified.c_str(), kwnames) || !check_arg_count(name, nargs - 1, 0, 1))
        return Value::null();
    std::string_view s = str_view(args[0]);
    std::vector<uint32_t> chars;
    bool whitespace = nargs < 2 || args[1].is_none();
    if (!whitespace) {
        if (!is_str(args[1]))
            return raise_format(exc.TypeError, "%s arg must be None or str", name);
        std::string_view c = str_view(args[1]);
        for (size_t pos = 0; pos < c.size();) chars.push_back(utf8_decode(c, pos));
    }
    auto strip_it = [&](uint32_t cp) {
        return whitespace ? is_space(cp) : std::find(chars.begin(), chars.end(), cp) != chars.end();
    };
    size_t begin = 0, end = s.size();
    if (left) {
        while (begin < end) {
            size_t next = begin;
            if (!strip_it(utf8_decode(s, next))) break;
            begin = next;
        }
    }
    if (right) {
        while (end > begin) {
            size_t prev = end;
            if (!strip_it(decode_before(s, prev))) break;
            end = prev;
        }
    }
    if (begin == 0 && end == s.size() && type_of(args[0]) == types.str_) return args[0];
    return str_result(s.substr(begin, end - begin));
}

Value str_strip(Value* a, int n, Tuple* k) { return strip_common("strip", a, n, k, true, true); }
Value str_lstrip(Value* a, int n, Tuple* k) { return strip_common("lstrip", a, n, k, true, false); }
Value str_rstrip(Value* a, int n, Tuple* k) { return strip_common("rstrip", a, n, k, false, true); }

Value affix_remove(const char* name, Value* args, int nargs, Tuple* kwnames, bool suffix) {
    std::string qualified = std::string("str.") + name;
    if (!method_args(qualified.c_str(), nargs, kwnames, 1, 1)) return Value::null();
    if (!is_str(args[1]))
        return raise_format(exc.TypeError, "%s() argument must be str, not %s", name,
                            type_name(args[1]).c_str());
    std::string_view s = str_view(args[0]), a = str_view(args[1]);
    if (!a.empty()) {
        if (!suffix && s.substr(0, a.size()) == a) return str_result(s.substr(a.size()));
        if (suffix && s.size() >= a.size() && s.substr(s.size() - a.size()) == a)
            return str_result(s.substr(0, s.size() - a.size()));
    }
    if (type_of(args[0]) == types.str_) return args[0];
    return str_result(s);
}

Value str_removeprefix(Value* a, int n, Tuple* k) {
    return affix_remove("removeprefix", a, n, k, false);
}
Value str_removesuffix(Value* a, int n, Tuple* k) {
    return affix_remove("removesuffix", a, n, k, true);
}

// --------------------------------------------------------------------- case

void append_mapped(CaseMapping mapping, uint32_t cp, std::string& out) {
    uint32_t mapped[3];
    int n = case_map(mapping, cp, mapped);
    for (int i = 0; i < n; ++i) utf8_encode(mapped[i], out);
}

// CPython's final sigma rule: capital sigma lowers to final sigma after a cased
// letter and not before one (case-ignorable characters skipped).
bool final_sigma(const std::vector<uint32_t>& cps, size_t i) {
    size_t j = i;
    while (j > 0 && is_case_ignorable(cps[j - 1])) --j;
    if (j == 0 || !is_cased(cps[j - 1])) return false;
    size_t k = i + 1;
    while (k < cps.size() && is_case_ignorable(cps[k])) ++k;
    return k == cps.size() || !is_cased(cps[k]);
}

void append_lower(const std::vector<uint32_t>& cps, size_t i, std::string& out) {
    if (cps[i] == 0x3A3) {
        utf8_encode(final_sigma(cps, i) ? 0x3C2 : 0x3C3, out);
        return;
    }
    append_mapped(CaseMapping::Lower, cps[i], out);
}

enum class CaseOp { Lower, Upper, Fold, Capitalize, Title, Swap };

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }
bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string convert_ascii(std::string_view s, CaseOp op) {
    std::string out(s);
    bool previous_cased = false;
    for (size_t i = 0; i < out.size(); ++i) {
        char c = out[i];
        switch (op) {
        case CaseOp::Lower:
        case CaseOp::Fold: out[i] = ascii_lower(c); break;
        case CaseOp::Upper: out[i] = ascii_upper(c); break;
        case CaseOp::Capitalize: out[i] = i == 0 ? ascii_upper(c) : ascii_lower(c); break;
        case CaseOp::Title:
            out[i] = previous_cased ? ascii_lower(c) : ascii_upper(c);
            previous_cased = ascii_alpha(c);
            break;
        case CaseOp::Swap: out[i] = c >= 'a' && c <= 'z' ? ascii_upper(c) : ascii_lower(c); break;
        }
    }
    return out;
}

std::string convert(const Str* s, CaseOp op) {
    if (s->ascii) return convert_ascii(s->view(), op);
    std::vector<uint32_t> cps = str_code_points(s);
    std::string out;
    out.reserve(s->size);
    bool previous_cased = false;
    for (size_t i = 0; i < cps.size(); ++i) {
        uint32_t cp = cps[i];
        switch (op) {
        case CaseOp::Lower: append_lower(cps, i, out); break;
        case CaseOp::Upper: append_mapped(CaseMapping::Upper, cp, out); break;
        case CaseOp::Fold: append_mapped(CaseMapping::Fold, cp, out); break;
        case CaseOp::Capitalize:
            if (i == 0)
                append_mapped(CaseMapping::Title, cp, out);
            else
                append_lower(cps, i, out);
            break;
        case CaseOp::Title:
            if (previous_cased)
                append_lower(cps, i, out);
            else
                append_mapped(CaseMapping::Title, cp, out);
            previous_cased = is_cased(cp);
            break;
        case CaseOp::Swap:
            if (is_upper(cp))
                append_lower(cps, i, out);
            else if (is_lower(cp))
                append_mapped(CaseMapping::Upper, cp, out);
            else
                utf8_encode(cp, out);
            break;
        }
    }
    return out;
}

template <CaseOp Op> Value case_method(Value* args, int nargs, Tuple* kwnames) {
    static const char* const kNames[] = {"str.lower",      "str.upper", "str.casefold",
                                         "str.capitalize", "str.title", "str.swapcase"};
    if (!method_args(kNames[static_cast<int>(Op)], nargs, kwnames, 0, 0)) return Value::null();
    return str_result(convert(self_of(args), Op));
}

// ----------------------------------------------------------------- predicates

enum class Pred {
    Digit,
    Decimal,
    Numeric,
    Alpha,
    Alnum,
    Space,
    Upper,
    Lower,
    Title,
    Identifier,
    Printable,
    Ascii
};

bool test_pred(const Str* s, Pred p) {
    std::vector<uint32_t> cps = str_code_points(s);
    auto all = [&](bool (*f)(uint32_t)) {
        if (cps.empty()) return false;
        for (uint32_t cp : cps)
            if (!f(cp)) return false;
        return true;
    };
    switch (p) {
    case Pred::Digit: return all(is_digit);
    case Pred::Decimal: return all(is_decimal);
    case Pred::Numeric: return all(is_numeric);
    case Pred::Alpha: return all(is_alpha);
    case Pred::Alnum: return all(is_alnum);
    case Pred::Space: return all(is_space);
    case Pred::Ascii: return s->ascii;
    case Pred::Printable:
        for (uint32_t cp : cps)
            if (!is_printable(cp)) return false;
        return true;
    case Pred::Identifier:
        if (cps.empty() || !is_id_start(cps[0])) return false;
        for (size_t i = 1; i < cps.size(); ++i)
            if (!is_id_continue(cps[i])) return false;
        return true;
    case Pred::Upper:
    case Pred::Lower: {
        bool cased = false;
        for (uint32_t cp : cps) {
            bool wrong = p == Pred::Upper ? is_lower(cp) : is_upper(cp);
            if (wrong || is_title(cp)) return false;
            if (p == Pred::Upper ? is_upper(cp) : is_lower(cp)) cased = true;
        }
        return cased;
    }
    case Pred::Title: {
        bool cased = false, previous_cased = false;
        for (uint32_t cp : cps) {
            if (is_upper(cp) || is_title(cp)) {
                if (previous_cased) return false;
                previous_cased = cased = true;
            } else if (is_lower(cp)) {
                if (!previous_cased) return false;
                previous_cased = cased = true;
            } else {
                previous_cased = false;
            }
        }
        return cased;
    }
    }
    return false;
}

template <Pred P> Value pred_method(Value* args, int nargs, Tuple* kwnames) {
    static const char* const kNames[] = {"str.isdigit",      "str.isdecimal",   "str.isnumeric",
                                         "str.isalpha",      "str.isalnum",     "str.isspace",
                                         "str.isupper",      "str.islower",     "str.istitle",
                                         "str.isidentifier", "str.isprintable", "str.isascii"};
    if (!method_args(kNames[static_cast<int>(P)], nargs, kwnames, 0, 0)) return Value::null();
    return Value::boolean(test_pred(self_of(args), P));
}

// ------------------------------------------------------------------- padding

// The fill character argument of center/ljust/rjust, as UTF-8.
bool fill_arg(Value v, std::string* out) {
    if (!is_str(v)) {
        raise_format(exc.TypeError, "The fill character must be a unicode character, not %s",
                     type_name(v).c_str());
        return false;
    }
    if (as<Str>(v)->length != 1) {
        raise(exc.TypeError, "The fill character must be exactly one character long");
        return false;
    }
    *out = std::string(str_view(v));
    return true;
}

Value pad(Value self, int64_t left, int64_t right, const std::string& fill) {
    if (left <= 0 && right <= 0 && type_of(self) == types.str_) return self;
    if (!check_allocation(std::max<int64_t>(left, 0) + std::max<int64_t>(right, 0),
                          static_cast<int64_t>(fill.size())))
        return Value::null();
    std::string out;
    out.reserve(str_view(self).size() + (left + right) * fill.size());
    for (int64_t i = 0; i < left; ++i) out += fill;
    out += str_view(self);
    for (int64_t i = 0; i < right; ++i) out += fill;
    return str_result(out);
}

enum class Justify { Left, Right, Center };

template <Justify J> Value justify_method(Value* args, int nargs, Tuple* kwnames) {
    static const char* const kNames[] = {"ljust", "rjust", "center"};
    const char* name = kNames[static_cast<int>(J)];
    std::string qualified = std::string("str.") + name;
    if (!check_no_kwargs(qualified.c_str(), kwnames) || !check_arg_count(name, nargs - 1, 1, 2))
        return Value::null();
    int64_t width;
    if (!ssize_arg(args[1], &width)) return Value::null();
    std::string fill = " ";
    if (nargs > 2 && !fill_arg(args[2], &fill)) return Value::null();
    int64_t margin = width - self_of(args)->length;
    if (margin <= 0) return pad(args[0], 0, 0, fill);
    switch (J) {
    case Justify::Left: return pad(args[0], 0, margin, fill);
    case Justify::Right: return pad(args[0], margin, 0, fill);
    case Justify::Center: {
        // CPython's rounding: the odd space goes left when width is odd.
        int64_t left = margin / 2 + (margin & width & 1);
        return pad(args[0], left, margin - left, fill);
    }
    }
    return Value::null();
}

Value str_zfill(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("str.zfill", nargs, kwnames, 1, 1)) return Value::null();
    int64_t width;
    if (!ssize_arg(args[1], &width)) return Value::null();
    Str* s = self_of(args);
    int64_t fill = width - s->length;
    if (fill <= 0) return pad(args[0], 0, 0, " ");
    if (!check_allocation(fill, 1)) return Value::null();
    std::string_view text = s->view();
    std::string out;
    size_t sign = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
    out += text.substr(0, sign);
    out.append(static_cast<size_t>(fill), '0');
    out += text.substr(sign);
    return str_result(out);
}

Value str_expandtabs(Value* args, int nargs, Tuple* kwnames) {
    Value bound[1];
    if (!bind_keywords("expandtabs", args + 1, nargs - 1, kwnames, {"tabsize"}, bound))
        return Value::null();
    int64_t tabsize = 8;
    if (!bound[0].is_null()) {
        if (is_int(bound[0]) && !bound[0].is_small_int() && !bound[0].is_bool() &&
            !int_to_int64(bound[0], &tabsize))
            return raise(exc.OverflowError, "Python int too large to convert to C int");
        if (!to_index(bound[0], &tabsize)) return Value::null();
        if (tabsize > INT_MAX || tabsize < INT_MIN) // a C int in CPython
            return raise(exc.OverflowError, "Python int too large to convert to C int");
    }
    std::string_view s = str_view(args[0]);
    // As CPython: the length first (OverflowError past 2**63 - 1, MemoryError past the
    // machine's memory), then the text.
    for (bool build : {false, true}) {
        std::string out;
        int64_t column = 0, length = 0;
        for (size_t pos = 0; pos < s.size();) {
            size_t start = pos;
            uint32_t cp = utf8_decode(s, pos);
            int64_t added = 1;
            if (cp == '\t') {
                added = tabsize > 0 ? tabsize - column % tabsize : 0;
                if (build) out.append(static_cast<size_t>(added), ' ');
            } else if (build) {
                out += s.substr(start, pos - start);
            }
            if (length > INT64_MAX - added)
                return raise(exc.OverflowError, "new string is too long");
            length += added;
            column = cp == '\n' || cp == '\r' ? 0 : column + added;
        }
        if (build) return str_result(out);
        if (!check_allocation(length, 1)) return Value::null();
    }
    return Value::null();
}

// ---------------------------------------------------------------- translate

Value str_maketrans(Value* args, int nargs, Tuple* kwnames) {
    // A static method: no self.
    if (!check_no_kwargs("maketrans", kwnames) || !check_arg_count("maketrans", nargs, 1, 3))
        return Value::null();
    Dict* table = make_dict();
    Root keep(Value::object(table));
    if (nargs == 1) {
        if (!is_layout(args[0], Layout::Dict))
            return raise(exc.TypeError,
                         "if you give only one argument to maketrans it must be a dict");
        Dict* d = as<Dict>(args[0]);
        for (size_t i = 0; i < d->entries.size(); ++i) {
            DictEntry e = d->entries[i];
            if (e.key.is_null()) continue;
            Value key = e.key;
            if (is_str(key)) {
                if (as<Str>(key)->length != 1)
                    return raise(exc.ValueError,
                                 "string keys in translate table must be of length 1");
                size_t pos = 0;
                key = make_int(utf8_decode(str_view(key), pos));
            } else if (!is_int(key)) {
                return raise(exc.TypeError, "keys in translate table must be strings or integers");
            }
            if (!dict_set(table, key, e.value)) return Value::null();
        }
        return Value::object(table);
    }
    for (int i = 1; i < nargs; ++i)
        if (!is_str(args[i]))
            return raise_format(exc.TypeError, "maketrans() argument %d must be str, not %s", i + 1,
                                type_name(args[i]).c_str());
    if (!is_str(args[0]))
        return raise(exc.TypeError,
                     "first maketrans argument must be a string if there is a second argument");
    std::vector<uint32_t> from = str_code_points(as<Str>(args[0]));
    std::vector<uint32_t> to = str_code_points(as<Str>(args[1]));
    if (from.size() != to.size())
        return raise(exc.ValueError, "the first two maketrans arguments must have equal length");
    for (size_t i = 0; i < from.size(); ++i)
        if (!dict_set(table, make_int(from[i]), make_int(to[i]))) return Value::null();
    if (nargs == 3)
        for (uint32_t cp : str_code_points(as<Str>(args[2])))
            if (!dict_set(table, make_int(cp), Value::none())) return Value::null();
    return Value::object(table);
}

Value str_translate(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("str.translate", nargs, kwnames, 1, 1)) return Value::null();
    std::vector<uint32_t> cps = str_code_points(self_of(args));
    Value table = args[1];
    std::string out;
    for (uint32_t cp : cps) {
        Value mapped = getitem(table, make_int(cp));
        if (mapped.is_null()) {
            if (!pending_is(exc.LookupError)) return Value::null();
            clear_pending();
            utf8_encode(cp, out);
            continue;
        }
        if (mapped.is_none()) continue;
        if (is_str(mapped)) {
            out += str_view(mapped);
        } else if (is_int(mapped)) {
            int64_t v;
            if (!int_to_int64(mapped, &v) || v < 0 || v > 0x10FFFF)
                return raise(exc.ValueError, "character mapping must be in range(0x110000)");
            utf8_encode(static_cast<uint32_t>(v), out);
        } else {
            return raise(exc.TypeError, "character mapping must return integer, None or str");
        }
    }
    return str_result(out);
}

Value str_encode(Value* args, int nargs, Tuple* kwnames) {
    Value bound[2];
    if (!bind_keywords("encode", args + 1, nargs - 1, kwnames, {"encoding", "errors"}, bound))
        return Value::null();
    return raise(exc.NotImplementedError, "bytes are not supported by apy");
}

const MethodDef kStrMethods[] = {
    {"find", str_find},
    {"rfind", str_rfind},
    {"index", str_index_m},
    {"rindex", str_rindex},
    {"count", str_count},
    {"startswith", str_startswith},
    {"endswith", str_endswith},
    {"split", str_split},
    {"rsplit", str_rsplit},
    {"splitlines", str_splitlines},
    {"partition", str_partition},
    {"rpartition", str_rpartition},
    {"join", str_join},
    {"replace", str_replace},
    {"strip", str_strip},
    {"lstrip", str_lstrip},
    {"rstrip", str_rstrip},
    {"removeprefix", str_removeprefix},
    {"removesuffix", str_removesuffix},
    {"lower", case_method<CaseOp::Lower>},
    {"upper", case_method<CaseOp::Upper>},
    {"casefold", case_method<CaseOp::Fold>},
    {"capitalize", case_method<CaseOp::Capitalize>},
    {"title", case_method<CaseOp::Title>},
    {"swapcase", case_method<CaseOp::Swap>},
    {"isdigit", pred_method<Pred::Digit>},
    {"isdecimal", pred_method<Pred::Decimal>},
    {"isnumeric", pred_method<Pred::Numeric>},
    {"isalpha", pred_method<Pred::Alpha>},
    {"isalnum", pred_method<Pred::Alnum>},
    {"isspace", pred_method<Pred::Space>},
    {"isupper", pred_method<Pred::Upper>},
    {"islower", pred_method<Pred::Lower>},
    {"istitle", pred_method<Pred::Title>},
    {"isidentifier", pred_method<Pred::Identifier>},
    {"isprintable", pred_method<Pred::Printable>},
    {"isascii", pred_method<Pred::Ascii>},
    {"ljust", justify_method<Justify::Left>},
    {"rjust", justify_method<Justify::Right>},
    {"center", justify_method<Justify::Center>},
    {"zfill", str_zfill},
    {"expandtabs", str_expandtabs},
    {"translate", str_translate},
    {"encode", str_encode},
    {nullptr, nullptr},
};

}  // namespace

void add_str_methods(Type* type) {
    add_methods(type, kStrMethods);
    // A static method: a plain builtin function on the type (builtin functions do not bind).
    set_type_attr(type, "maketrans", Value::object(make_builtin("maketrans", str_maketrans)));
}

}  // namespace apy::rt
