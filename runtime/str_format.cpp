// str.format / format_map (CPython's MarkupIterator and field-name grammar) and
// printf-style formatting with % (CPython's PyUnicode_Format), with CPython's
// error messages. Values are rendered by the format() protocol (ops.h) and the
// number formatting of format_spec.h.
#include "runtime/str_format.h"

#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/format_spec.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/types/str_util.h"
#include "runtime/unicode.h"

#include <cctype>
#include <climits>
#include <cstdio>

namespace apy::rt {

namespace {

// ---------------------------------------------------------------- str.format

enum class AutoNumber { Init, Auto, Manual };

struct FormatContext {
    const Value* args;  // null for format_map
    int64_t nargs;
    Value mapping;  // null when there are no keyword arguments
    AutoNumber state = AutoNumber::Init;
    int64_t next_index = 0;
};

// A field name part as an index: -1 when not all decimal digits; false on overflow.
bool integer_of(std::string_view text, int64_t* out) {
    *out = -1;
    if (text.empty()) return true;
    int64_t value = 0;
    for (size_t pos = 0; pos < text.size();) {
        int digit = decimal_value(utf8_decode(text, pos));
        if (digit < 0) return true;
        if (value > (INT64_MAX - digit) / 10) {
            raise(exc.ValueError, "Too many decimal digits in format string");
            return false;
        }
        value = value * 10 + digit;
    }
    *out = value;
    return true;
}

// The object a field name ("0", "name", "", "a.b[0]") refers to.
Value field_object(std::string_view name, FormatContext& ctx) {
    size_t first_end = name.find_first_of(".[");
    if (first_end == std::string_view::npos) first_end = name.size();
    std::string_view first = name.substr(0, first_end);
    int64_t index;
    if (!integer_of(first, &index)) return Value::null();
    bool empty = first.empty();
    if (empty || index != -1) {
        if (ctx.state == AutoNumber::Init)
            ctx.state = empty ? AutoNumber::Auto : AutoNumber::Manual;
        if (ctx.state == AutoNumber::Manual && empty)
            return raise(exc.ValueError, "cannot switch from manual field specification to "
                                         "automatic field numbering");
        if (ctx.state == AutoNumber::Auto && !empty)
            return raise(exc.ValueError, "cannot switch from automatic field numbering to manual "
                                         "field specification");
        if (empty) index = ctx.next_index++;
    }
    Value obj;
    if (index == -1) {
        Value key = str_result(first);
        if (ctx.mapping.is_null()) return raise_with_arg(exc.KeyError, key);
        obj = getitem(ctx.mapping, key);
    } else {
        if (!ctx.args) return raise(exc.ValueError, "Format string contains positional fields");
        if (index >= ctx.nargs)
            return raise_format(exc.IndexError,
                                "Replacement index %lld out of range for positional args tuple",
                                static_cast<long long>(index));
        obj = ctx.args[index];
    }
    // The rest: .attribute and [key] parts.
    size_t pos = first_end;
    while (!obj.is_null() && pos < name.size()) {
        Root keep(obj);
        char c = name[pos++];
        std::string_view part;
        if (c == '.') {
            size_t end = name.find_first_of(".[", pos);
            if (end == std::string_view::npos) end = name.size();
            part = name.substr(pos, end - pos);
            pos = end;
        } else if (c == '[') {
            size_t end = name.find(']', pos);
            if (end == std::string_view::npos)
                return raise(exc.ValueError, "Missing ']' in format string");
            part = name.substr(pos, end - pos);
            pos = end + 1;
        } else {
            return raise(exc.ValueError,
                         "Only '.' or '[' may follow ']' in format field specifier");
        }
        if (part.empty()) return raise(exc.ValueError, "Empty attribute in format string");
        if (c == '.') {
            obj = getattr(obj, make_str(part));
            continue;
        }
        int64_t item_index;
        if (!integer_of(part, &item_index)) return Value::null();
        obj = getitem(obj, item_index == -1 ? str_result(part) : make_int(item_index));
    }
    return obj;
}

// ascii(): the repr with non-ASCII characters escaped.
Value ascii_of(Value v) {
    if (is_str(v)) return str_result(ascii_of_str(str_view(v)));
    Value r = repr(v);
    if (r.is_null()) return r;
    std::string_view text = str_view(r);
    std::string out;
    for (size_t pos = 0; pos < text.size();) {
        size_t start = pos;
        uint32_t cp = utf8_decode(text, pos);
        if (cp < 0x80) {
            out += text.substr(start, pos - start);
            continue;
        }
        char buffer[16];
        if (cp < 0x100)
            std::snprintf(buffer, sizeof buffer, "\\x%02x", cp);
        else if (cp < 0x10000)
            std::snprintf(buffer, sizeof buffer, "\\u%04x", cp);
        else
            std::snprintf(buffer, sizeof buffer, "\\U%08x", cp);
        out += buffer;
    }
    return str_result(out);
}

bool build_string(std::string_view format, FormatContext& ctx, int depth, std::string& out);

// One replacement field: the text between '{' and its '}' has been split already.
bool render_field(std::string_view name, uint32_t conversion, std::string_view spec,
                  bool expand_spec, FormatContext& ctx, int depth, std::string& out) {
    Value obj = field_object(name, ctx);
    if (obj.is_null()) return false;
    Root keep(obj);
    switch (conversion) {
    case 0: break;
    case 'r': obj = repr(obj); break;
    case 's': obj = to_str(obj); break;
    case 'a': obj = ascii_of(obj); break;
    default:
        if (conversion > 32 && conversion < 127)
            raise_format(exc.ValueError, "Unknown conversion specifier %c",
                         static_cast<char>(conversion));
        else
            raise_format(exc.ValueError, "Unknown conversion specifier \\x%x", conversion);
        return false;
    }
    if (obj.is_null()) return false;
    keep.set(obj);
    std::string expanded;
    if (expand_spec) {
        if (!build_string(spec, ctx, depth - 1, expanded)) return false;
        spec = expanded;
    }
    Value text = format(obj, spec);
    if (text.is_null()) return false;
    if (!is_str(text)) {
        raise_format(exc.TypeError, "__format__ must return a str, not %s",
                     type_name(text).c_str());
        return false;
    }
    out += str_view(text);
    return true;
}

// Parses a field starting after its '{' at format[pos]; renders it.
bool parse_field(std::string_view format, size_t& pos, FormatContext& ctx, int depth,
                 std::string& out) {
    size_t name_start = pos;
    char c = 0;
    while (pos < format.size()) {
        c = format[pos++];
        if (c == '{') {
            raise(exc.ValueError, "unexpected '{' in field name");
            return false;
        }
        if (c == '[') {
            while (pos < format.size() && format[pos] != ']') ++pos;
            continue;
        }
        if (c == '}' || c == ':' || c == '!') break;
    }
    if (c != '}' && c != ':' && c != '!') {
        raise(exc.ValueError, "expected '}' before end of string");
        return false;
    }
    std::string_view name = format.substr(name_start, pos - 1 - name_start);
    uint32_t conversion = 0;
    std::string_view spec;
    bool expand_spec = false;
    if (c == '!' || c == ':') {
        if (c == '!') {
            if (pos >= format.size()) {
                raise(exc.ValueError, "end of string while looking for conversion specifier");
                return false;
            }
            conversion = utf8_decode(format, pos);
            if (pos < format.size()) {
                char next = format[pos++];
                if (next == '}')
                    return render_field(name, conversion, spec, false, ctx, depth, out);
                if (next != ':') {
                    raise(exc.ValueError, "expected ':' after conversion specifier");
                    return false;
                }
            }
        }
        size_t spec_start = pos;
        int count = 1;
        while (pos < format.size()) {
            char s = format[pos++];
            if (s == '{') {
                expand_spec = true;
                ++count;
            } else if (s == '}' && --count == 0) {
                spec = format.substr(spec_start, pos - 1 - spec_start);
                return render_field(name, conversion, spec, expand_spec, ctx, depth, out);
            }
        }
        raise(exc.ValueError, "unmatched '{' in format spec");
        return false;
    }
    return render_field(name, conversion, spec, false, ctx, depth, out);
}

bool build_string(std::string_view format, FormatContext& ctx, int depth, std::string& out) {
    if (depth <= 0) {
        raise(exc.ValueError, "Max string recursion exceeded");
        return false;
    }
    size_t pos = 0;
    while (pos < format.size()) {
        size_t brace = format.find_first_of("{}", pos);
        if (brace == std::string_view::npos) {
            out += format.substr(pos);
            break;
        }
        out += format.substr(pos, brace - pos);
        char c = format[brace];
        pos = brace + 1;
        bool at_end = pos >= format.size();
        if (c == '}') {
            if (at_end || format[pos] != '}') {
                raise(exc.ValueError, "Single '}' encountered in format string");
                return false;
            }
            out += '}';
            ++pos;
            continue;
        }
        if (at_end) {
            raise(exc.ValueError, "Single '{' encountered in format string");
            return false;
        }
        if (format[pos] == '{') {
            out += '{';
            ++pos;
            continue;
        }
        if (!parse_field(format, pos, ctx, depth, out)) return false;
    }
    return true;
}

Value str_format_method(Value* args, int nargs, Tuple* kwnames) {
    if (nargs < 1) return raise(exc.TypeError, "unbound method str.format() needs an argument");
    Value mapping = Value::null();
    if (kwnames && kwnames->size > 0) {
        Dict* kwargs = make_dict();
        for (int64_t k = 0; k < kwnames->size; ++k)
            if (!dict_set(kwargs, kwnames->items[k], args[nargs + k])) return Value::null();
        mapping = Value::object(kwargs);
    }
    Root keep(mapping);
    return str_format(as<Str>(args[0]), args + 1, nargs - 1, mapping);
}

Value str_format_map(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("str.format_map", kwnames) ||
        !check_arg_count("str.format_map", nargs - 1, 1, 1))
        return Value::null();
    FormatContext ctx{nullptr, 0, args[1]};
    std::string out;
    if (!build_string(str_view(args[0]), ctx, 2, out)) return Value::null();
    return str_result(out);
}

Value str_dunder_format(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("str.__format__", kwnames) ||
        !check_arg_count("str.__format__", nargs - 1, 1, 1))
        return Value::null();
    if (!is_str(args[1]))
        return raise_format(exc.TypeError, "__format__() argument must be str, not %s",
                            type_name(args[1]).c_str());
    return format_str(str_view(args[0]), str_view(args[1]));
}

// -------------------------------------------------------------- % formatting

constexpr unsigned kLeft = 1, kSign = 2, kBlank = 4, kAlt = 8, kZero = 16;

struct Spec {
    unsigned flags = 0;
    int64_t width = -1;
    int64_t prec = -1;
    uint32_t type = 0;
    bool sign = false;  // a numeric conversion: sign and zero padding apply
};

struct PercentContext {
    std::string_view format;
    size_t pos = 0;
    Value args;
    int64_t arglen;
    int64_t argidx;
    Value dict;  // null when args is not a mapping
};

Value next_arg(PercentContext& ctx) {
    if (ctx.argidx < ctx.arglen) {
        int64_t i = ctx.argidx++;
        if (ctx.arglen < 0) return ctx.args;
        return as<Tuple>(ctx.args)->items[i];
    }
    return raise(exc.TypeError, "not enough arguments for format string");
}

bool read_char(PercentContext& ctx, uint32_t* c) {
    if (ctx.pos >= ctx.format.size()) return false;
    *c = utf8_decode(ctx.format, ctx.pos);
    return true;
}

bool star_arg(PercentContext& ctx, int64_t* out, bool is_precision) {
    Value v = next_arg(ctx);
    if (v.is_null()) return false;
    if (!is_int(v)) {
        raise(exc.TypeError, "* wants int");
        return false;
    }
    int64_t n;
    bool fits = int_to_int64(v, &n);
    if (is_precision && fits && (n > INT_MAX || n < INT_MIN)) fits = false;
    if (!fits) {
        raise(exc.OverflowError, is_precision ? "Python int too large to convert to C int"
                                              : "Python int too large to convert to C ssize_t");
        return false;
    }
    *out = n;
    return true;
}

// Parses "%(key)-08.3d" after the '%', up to and including the conversion character.
bool parse_spec(PercentContext& ctx, Spec& spec) {
    uint32_t c = 0;
    bool more = read_char(ctx, &c);
    if (more && c == '(') {
        if (ctx.dict.is_null()) {
            raise(exc.TypeError, "format requires a mapping");
            return false;
        }
        size_t key_start = ctx.pos;
        int depth = 1;
        while (depth > 0 && ctx.pos < ctx.format.size()) {
            char k = ctx.format[ctx.pos++];
            if (k == ')')
                --depth;
            else if (k == '(')
                ++depth;
        }
        if (depth > 0) {
            raise(exc.ValueError, "incomplete format key");
            return false;
        }
        Value key = str_result(ctx.format.substr(key_start, ctx.pos - 1 - key_start));
        Value value = getitem(ctx.dict, key);
        if (value.is_null()) return false;
        ctx.args = value;
        ctx.arglen = -1;
        ctx.argidx = -2;
        more = read_char(ctx, &c);
    }
    while (more) {
        unsigned flag = c == '-'   ? kLeft
                        : c == '+' ? kSign
                        : c == ' ' ? kBlank
                        : c == '#' ? kAlt
                        : c == '0' ? kZero
                                   : 0;
        if (!flag) break;
        spec.flags |= flag;
        more = read_char(ctx, &c);
    }
    if (more && c == '*') {
        if (!star_arg(ctx, &spec.width, false)) return false;
        if (spec.width < 0) {
            spec.flags |= kLeft;
            // -(-2**63) wraps to itself in CPython, a width that pads nothing.
            spec.width = spec.width == INT64_MIN ? 0 : -spec.width;
        }
        more = read_char(ctx, &c);
    } else if (more && c >= '0' && c <= '9') {
        spec.width = c - '0';
        while ((more = read_char(ctx, &c)) && c >= '0' && c <= '9') {
            if (spec.width > (INT64_MAX - (c - '0')) / 10) {
                raise(exc.ValueError, "width too big");
                return false;
            }
            spec.width = spec.width * 10 + (c - '0');
        }
    }
    if (!check_allocation(spec.width, 1)) return false;
    if (more && c == '.') {
        spec.prec = 0;
        more = read_char(ctx, &c);
        if (more && c == '*') {
            if (!star_arg(ctx, &spec.prec, true)) return false;
            if (spec.prec < 0) spec.prec = 0;
            more = read_char(ctx, &c);
        } else if (more && c >= '0' && c <= '9') {
            spec.prec = c - '0';
            while ((more = read_char(ctx, &c)) && c >= '0' && c <= '9') {
                if (spec.prec > (INT_MAX - (c - '0')) / 10) {
                    raise(exc.ValueError, "precision too big");
                    return false;
                }
                spec.prec = spec.prec * 10 + (c - '0');
            }
        }
    }
    if (more && (c == 'h' || c == 'l' || c == 'L')) more = read_char(ctx, &c);
    if (!more) {
        raise(exc.ValueError, "incomplete format");
        return false;
    }
    spec.type = c;
    return true;
}

bool has_dunder(Value v, const char* name) {
    return !lookup_in_type(type_of(v), intern(name)).is_null();
}

// %d %i %u %o %x %X: sign, "0x"/"0o" prefix (with #) and digits zero-padded to the precision.
Value format_integer(Value v, const Spec& spec) {
    uint32_t type = spec.type;
    bool needs_index = type == 'o' || type == 'x' || type == 'X';
    Value number = v.is_bool() ? Value::small_int(v.is_true()) : v;
    if (!is_int(v)) {
        // CPython converts with int() (floats too) for %d, with __index__ for %o %x %X.
        bool numeric = needs_index ? has_dunder(v, "__index__")
                                   : v.is_double() || has_dunder(v, "__index__") ||
                                         has_dunder(v, "__int__") || has_dunder(v, "__float__");
        if (numeric) {
            number = call1(Value::object(types.int_), v);
            if (number.is_null()) {
                if (!pending_is(exc.TypeError)) return Value::null();
                clear_pending();
                numeric = false;
            }
        }
        if (!numeric)
            return raise_format(exc.TypeError, "%%%c format: %s is required, not %s",
                                static_cast<char>(type),
                                needs_index ? "an integer" : "a real number", type_name(v).c_str());
    }
    int base = type == 'o' ? 8 : needs_index ? 16 : 10;
    std::string digits = int_to_string(number, base);
    bool negative = !digits.empty() && digits[0] == '-';
    if (negative) digits.erase(0, 1);
    if (type == 'X')
        for (char& d : digits) d = static_cast<char>(std::toupper(static_cast<unsigned char>(d)));
    if (spec.prec > static_cast<int64_t>(digits.size()))
        digits.insert(0, static_cast<size_t>(spec.prec) - digits.size(), '0');
    std::string out = negative ? "-" : "";
    if ((spec.flags & kAlt) && needs_index) {
        out += '0';
        out += static_cast<char>(type);
    }
    return str_result(out + digits);
}

// %e %f %g (and capitals): through float(), as PyOS_double_to_string.
Value format_float(Value v, const Spec& spec) {
    double d;
    if (v.is_double()) {
        d = v.as_double();
    } else if (is_int(v)) {
        if (!int_to_double(v, &d)) return Value::null();
    } else if (has_dunder(v, "__float__") || has_dunder(v, "__index__")) {
        Value f = call1(Value::object(types.float_), v);
        if (f.is_null()) return f;
        d = f.as_double();
    } else {
        return raise_format(exc.TypeError, "must be real number, not %s", type_name(v).c_str());
    }
    int precision = static_cast<int>(spec.prec < 0 ? 6 : spec.prec);
    return str_result(format_double(d, static_cast<char>(spec.type), precision,
                                    (spec.flags & kAlt) ? unsigned{kFloatAlt} : 0u));
}

Value format_char(Value v) {
    if (is_str(v)) {
        if (as<Str>(v)->length == 1) return v;
        return raise(exc.TypeError, "%c requires int or char");
    }
    Value number = v;
    if (!is_int(v)) {
        if (!has_dunder(v, "__index__")) return raise(exc.TypeError, "%c requires int or char");
        number = call1(Value::object(types.int_), v);
        if (number.is_null()) return number;
    }
    int64_t cp;
    if (number.is_bool()) number = Value::small_int(number.is_true());
    if (!int_to_int64(number, &cp) || cp < 0 || cp > 0x10FFFF)
        return raise(exc.OverflowError, "%c arg not in range(0x110000)");
    return char_str(static_cast<uint32_t>(cp));
}

// Pads [text] as CPython's unicode_format_arg_output does.
void output_padded(std::string_view text, Spec spec, std::string& out) {
    std::vector<uint32_t> cps;
    for (size_t pos = 0; pos < text.size();) cps.push_back(utf8_decode(text, pos));
    int64_t len = static_cast<int64_t>(cps.size());
    uint32_t fill = spec.sign && (spec.flags & kZero) ? '0' : ' ';
    if (spec.type == 's' || spec.type == 'r' || spec.type == 'a')
        if (spec.prec >= 0 && len > spec.prec) len = spec.prec;
    size_t index = 0;
    uint32_t signchar = 0;
    if (spec.sign) {
        if (!cps.empty() && (cps[0] == '-' || cps[0] == '+')) {
            signchar = cps[0];
            --len;
            ++index;
        } else if (spec.flags & kSign) {
            signchar = '+';
        } else if (spec.flags & kBlank) {
            signchar = ' ';
        } else {
            spec.sign = false;
        }
    }
    int64_t width = std::max(spec.width, len);
    bool prefix = (spec.flags & kAlt) && (spec.type == 'x' || spec.type == 'X' || spec.type == 'o');
    if (spec.sign) {
        if (fill != ' ') out += static_cast<char>(signchar);
        if (width > len) --width;
    }
    if (prefix) {
        if (fill != ' ') {
            out += '0';
            out += static_cast<char>(spec.type);
            index += 2;
        }
        width = std::max<int64_t>(width - 2, 0);
        len -= 2;
    }
    if (width > len && !(spec.flags & kLeft)) {
        out.append(static_cast<size_t>(width - len), static_cast<char>(fill));
        width = len;
    }
    if (fill == ' ') {
        if (spec.sign) out += static_cast<char>(signchar);
        if (prefix) {
            out += '0';
            out += static_cast<char>(spec.type);
            index += 2;
        }
    }
    for (int64_t i = 0; i < len; ++i) utf8_encode(cps[index + i], out);
    if (width > len) out.append(static_cast<size_t>(width - len), ' ');
}

bool format_one(PercentContext& ctx, std::string& out) {
    if (ctx.pos < ctx.format.size() && ctx.format[ctx.pos] == '%') {
        ++ctx.pos;
        out += '%';
        return true;
    }
    Spec spec;
    if (!parse_spec(ctx, spec)) return false;
    Value v = next_arg(ctx);
    if (v.is_null()) return false;
    Value text;
    switch (spec.type) {
    case 's': text = to_str(v); break;
    case 'r': text = repr(v); break;
    case 'a': text = ascii_of(v); break;
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X':
        spec.sign = true;
        text = format_integer(v, spec);
        break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
        spec.sign = true;
        text = format_float(v, spec);
        break;
    case 'c': text = format_char(v); break;
    default: {
        uint32_t c = spec.type;
        int64_t index = utf8_index(ctx.format, ctx.pos) - 1;
        raise_format(exc.ValueError, "unsupported format character '%c' (0x%x) at index %lld",
                     c >= 31 && c <= 126 ? static_cast<char>(c) : '?', c,
                     static_cast<long long>(index));
        return false;
    }
    }
    if (text.is_null()) return false;
    output_padded(str_view(text), spec, out);
    return true;
}

}  // namespace

Value str_format(Str* format, const Value* args, int64_t nargs, Value mapping) {
    FormatContext ctx{args, nargs, mapping};
    std::string out;
    if (!build_string(format->view(), ctx, 2, out)) return Value::null();
    return str_result(out);
}

Value str_percent_format(Value format, Value args) {
    bool is_tuple = is_layout(args, Layout::Tuple);
    PercentContext ctx;
    ctx.format = str_view(format);
    ctx.args = args;
    ctx.arglen = is_tuple ? as<Tuple>(args)->size : -1;
    ctx.argidx = is_tuple ? 0 : -2;
    // CPython treats anything subscriptable (except tuples and strs) as the mapping.
    bool mapping = !is_tuple && !is_str(args) && type_of(args)->getitem;
    ctx.dict = mapping ? args : Value::null();
    std::string out;
    while (ctx.pos < ctx.format.size()) {
        size_t percent = ctx.format.find('%', ctx.pos);
        if (percent == std::string_view::npos) {
            out += ctx.format.substr(ctx.pos);
            break;
        }
        out += ctx.format.substr(ctx.pos, percent - ctx.pos);
        ctx.pos = percent + 1;
        if (ctx.pos >= ctx.format.size()) return raise(exc.ValueError, "incomplete format");
        if (!format_one(ctx, out)) return Value::null();
    }
    if (ctx.argidx < ctx.arglen && ctx.dict.is_null())
        return raise(exc.TypeError, "not all arguments converted during string formatting");
    return str_result(out);
}

void add_str_format_methods(Type* type) {
    static const MethodDef kMethods[] = {
        {"format", str_format_method},
        {"format_map", str_format_map},
        {"__format__", str_dunder_format},
        {nullptr, nullptr},
    };
    add_methods(type, kMethods);
}

}  // namespace apy::rt
