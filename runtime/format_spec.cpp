// The format-spec mini-language for ints, floats and strs, after CPython's
// Python/formatter_unicode.c, and float-to-text conversion after Python/pystrtod.c.
#include "runtime/format_spec.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/unicode.h"

namespace apy::rt {

// ------------------------------------------------------------------ float to text

namespace {

// The digits of |d| (no leading zeros; trailing zeros stripped) and the position
// of the decimal point: |d| = 0.DIGITS * 10^decpt. As David Gay's dtoa modes:
// 0 shortest round-trip, 2 [ndigits] significant digits, 3 [ndigits] past the point.
void float_digits(double d, int mode, int ndigits, std::string* digits, int* decpt) {
    d = std::fabs(d);
    if (d == 0.0) {
        *digits = "0";
        *decpt = 1;
        return;
    }
    char buffer[1100];
    std::string text;
    if (mode == 3) {
        std::snprintf(buffer, sizeof buffer, "%.*f", ndigits, d);
        text = buffer;
        size_t point = text.find('.');
        *decpt = static_cast<int>(point == std::string::npos ? text.size() : point);
        if (point != std::string::npos) text.erase(point, 1);
    } else {
        if (mode == 0) {
            auto result = std::to_chars(buffer, buffer + sizeof buffer, d,
                                        std::chars_format::scientific);
            *result.ptr = '\0';
        } else {
            std::snprintf(buffer, sizeof buffer, "%.*e", ndigits - 1, d);
        }
        text = buffer;
        size_t e = text.find('e');
        *decpt = std::atoi(text.c_str() + e + 1) + 1;
        text.erase(e);
        size_t point = text.find('.');
        if (point != std::string::npos) text.erase(point, 1);
    }
    size_t first = text.find_first_not_of('0');
    if (first == std::string::npos) {
        // Rounded away entirely (mode 3): no digits.
        *digits = "";
        *decpt = -ndigits;
        return;
    }
    *decpt -= static_cast<int>(first);
    size_t last = text.find_last_not_of('0');
    *digits = text.substr(first, last - first + 1);
}

}  // namespace

std::string format_double(double d, char type, int precision, unsigned flags) {
    bool upper = type == 'E' || type == 'F' || type == 'G';
    char code = static_cast<char>(upper ? type + ('a' - 'A') : type);
    bool negative = std::signbit(d);
    std::string out;
    if (!std::isfinite(d)) {
        if (std::isnan(d)) return upper ? "NAN" : "nan";
        if (negative)
            out = "-";
        else if (flags & kFloatSign)
            out = "+";
        return out + (upper ? "INF" : "inf");
    }
    int mode = 0;
    switch (code) {
        case 'e':
            mode = 2;
            ++precision;
            break;
        case 'f': mode = 3; break;
        case 'g':
            mode = 2;
            if (precision == 0) precision = 1;
            break;
        default: break;  // 'r'
    }
    std::string digits;
    int decpt;
    float_digits(d, mode, precision, &digits, &decpt);
    bool add_dot_0 = flags & kFloatAddDot0;
    bool alt = flags & kFloatAlt;
    if ((flags & kFloatNoNegZero) && negative && digits.find_first_not_of('0') == std::string::npos)
        negative = false;

    // CPython's format_float_short from here.
    int digits_len = static_cast<int>(digits.size());
    int vdigits_end = digits_len;
    bool use_exp = false;
    switch (code) {
        case 'e':
            use_exp = true;
            vdigits_end = precision;
            break;
        case 'f': vdigits_end = decpt + precision; break;
        case 'g':
            if (decpt <= -4 || decpt > (add_dot_0 ? precision - 1 : precision)) use_exp = true;
            if (alt) vdigits_end = precision;
            break;
        default:
            if (decpt <= -4 || decpt > 16) use_exp = true;
            break;
    }
    int exp = 0;
    if (use_exp) {
        exp = decpt - 1;
        decpt = 1;
    }
    int vdigits_start = decpt <= 0 ? decpt - 1 : 0;
    if (!use_exp && add_dot_0)
        vdigits_end = std::max(vdigits_end, decpt + 1);
    else
        vdigits_end = std::max(vdigits_end, decpt);

    if (negative)
        out += '-';
    else if (flags & kFloatSign)
        out += '+';
    if (decpt <= 0) {
        out.append(decpt - vdigits_start, '0');
        out += '.';
        out.append(-decpt, '0');
    } else {
        out.append(-vdigits_start, '0');
    }
    if (0 < decpt && decpt <= digits_len) {
        out.append(digits, 0, decpt);
        out += '.';
        out.append(digits, decpt, std::string::npos);
    } else {
        out += digits;
    }
    if (digits_len < decpt) {
        out.append(decpt - digits_len, '0');
        out += '.';
        out.append(vdigits_end - decpt, '0');
    } else {
        out.append(std::max(0, vdigits_end - digits_len), '0');
    }
    if (out.back() == '.' && !alt) out.pop_back();
    if (use_exp) {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "%c%+.02d", upper ? 'E' : 'e', exp);
        out += buffer;
    }
    return out;
}

// ------------------------------------------------------------------ spec parsing

namespace {

struct Spec {
    uint32_t fill = ' ';
    char align = '\0';
    char sign = '\0';
    bool no_neg_zero = false;
    bool alternate = false;
    int64_t width = -1;
    char thousands = '\0';
    int64_t precision = -1;
    uint32_t type = '\0';
};

bool parse_integer(const std::vector<uint32_t>& s, size_t* pos, int64_t* out, bool* overflow) {
    size_t start = *pos;
    int64_t value = 0;
    *overflow = false;
    while (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9') {
        int digit = static_cast<int>(s[*pos] - '0');
        if (value > (INT64_MAX - digit) / 10) {
            *overflow = true;
            return false;
        }
        value = value * 10 + digit;
        ++*pos;
    }
    *out = value;
    return *pos > start;
}

bool is_align(uint32_t c) { return c == '<' || c == '>' || c == '=' || c == '^'; }

Value too_many_digits() { return raise(exc.ValueError, "Too many decimal digits in format string"); }

// Parses [spec]; false with ValueError pending. [type_name] names the formatted object.
bool parse_spec(std::string_view text, char default_type, char default_align,
                const std::string& type_name, Spec* spec) {
    std::vector<uint32_t> s;
    for (size_t i = 0; i < text.size();) s.push_back(utf8_decode(text, i));
    spec->type = static_cast<uint8_t>(default_type);
    spec->align = default_align;
    size_t pos = 0, end = s.size();
    bool fill_given = false, align_given = false;
    if (end - pos >= 2 && is_align(s[pos + 1])) {
        spec->fill = s[pos];
        spec->align = static_cast<char>(s[pos + 1]);
        fill_given = align_given = true;
        pos += 2;
    } else if (end - pos >= 1 && is_align(s[pos])) {
        spec->align = static_cast<char>(s[pos]);
        align_given = true;
        ++pos;
    }
    if (pos < end && (s[pos] == '+' || s[pos] == '-' || s[pos] == ' '))
        spec->sign = static_cast<char>(s[pos++]);
    if (pos < end && s[pos] == 'z') {
        spec->no_neg_zero = true;
        ++pos;
    }
    if (pos < end && s[pos] == '#') {
        spec->alternate = true;
        ++pos;
    }
    if (!fill_given && pos < end && s[pos] == '0') {
        spec->fill = '0';
        if (!align_given && default_align == '>') spec->align = '=';
        ++pos;
    }
    bool overflow;
    if (!parse_integer(s, &pos, &spec->width, &overflow)) {
        if (overflow) {
            too_many_digits();
            return false;
        }
        spec->width = -1;
    }
    if (!check_allocation(spec->width, 1)) return false; // format(1, "1000000000000")
    if (pos < end && s[pos] == ',') {
        spec->thousands = ',';
        ++pos;
    }
    if (pos < end && s[pos] == '_') {
        if (spec->thousands) {
            raise(exc.ValueError, "Cannot specify both ',' and '_'.");
            return false;
        }
        spec->thousands = '_';
        ++pos;
    }
    if (pos < end && s[pos] == ',' && spec->thousands == '_') {
        raise(exc.ValueError, "Cannot specify both ',' and '_'.");
        return false;
    }
    if (pos < end && s[pos] == '.') {
        ++pos;
        if (!parse_integer(s, &pos, &spec->precision, &overflow)) {
            if (overflow)
                too_many_digits();
            else
                raise(exc.ValueError, "Format specifier missing precision");
            return false;
        }
    }
    if (end - pos > 1) {
        raise_format(exc.ValueError, "Invalid format specifier '%.*s' for object of type '%s'",
                     static_cast<int>(text.size()), text.data(), type_name.c_str());
        return false;
    }
    if (end - pos == 1) spec->type = s[pos];
    if (spec->thousands) {
        switch (spec->type) {
            case 'd': case 'e': case 'f': case 'g': case 'E': case 'G': case '%': case 'F':
            case '\0': break;
            case 'b': case 'o': case 'x': case 'X':
                if (spec->thousands == '_') break;
                [[fallthrough]];
            default:
                if (spec->type < 128)
                    raise_format(exc.ValueError, "Cannot specify '%c' with '%c'.", spec->thousands,
                                 static_cast<char>(spec->type));
                else
                    raise_format(exc.ValueError, "Cannot specify '%c' with '\\x%x'.",
                                 spec->thousands, spec->type);
                return false;
        }
    }
    return true;
}

Value unknown_code(uint32_t type, const std::string& type_name) {
    if (type > 32 && type < 128)
        return raise_format(exc.ValueError, "Unknown format code '%c' for object of type '%s'",
                            static_cast<char>(type), type_name.c_str());
    return raise_format(exc.ValueError, "Unknown format code '\\x%x' for object of type '%s'",
                        type, type_name.c_str());
}

void append_fill(std::string& out, uint32_t fill, int64_t count) {
    for (int64_t i = 0; i < count; ++i) utf8_encode(fill, out);
}

// Pads [body] (of [length] characters) to the spec's width by its alignment ('<' '>' '^').
std::string pad(const std::string& body, int64_t length, const Spec& spec) {
    int64_t padding = spec.width - length;
    if (padding <= 0) return body;
    std::string out;
    int64_t left = spec.align == '<' ? 0 : spec.align == '^' ? padding / 2 : padding;
    append_fill(out, spec.fill, left);
    out += body;
    append_fill(out, spec.fill, padding - left);
    return out;
}

// CPython's _PyUnicode_InsertThousandsGrouping: [digits] grouped by [group] with
// [separator] (none when 0), zero-extended on the left to at least [min_width].
std::string group_digits(const std::string& digits, int group, char separator, int64_t min_width) {
    std::vector<std::string> parts;  // rightmost first
    int64_t remaining = static_cast<int64_t>(digits.size());
    int sep_len = separator ? 1 : 0;
    if (!separator) group = 1 << 30;
    bool broken = false;
    auto take = [&](int64_t l) {
        int64_t zeros = std::max<int64_t>(0, l - remaining);
        int64_t chars = std::max<int64_t>(0, std::min(remaining, l));
        parts.push_back(std::string(zeros, '0') + digits.substr(remaining - chars, chars));
        remaining -= chars;
    };
    // The group size repeats, so the loop ends by the break or when nothing is left.
    while (true) {
        int64_t l = std::min<int64_t>(group, std::max<int64_t>(std::max(remaining, min_width), 1));
        take(l);
        min_width -= l;
        if (remaining <= 0 && min_width <= 0) {
            broken = true;
            break;
        }
        min_width -= sep_len;
    }
    if (!broken) take(std::max<int64_t>(std::max(remaining, min_width), 1));
    std::string out;
    for (size_t i = parts.size(); i-- > 0;) {
        out += parts[i];
        if (i > 0 && separator) out += separator;
    }
    return out;
}

// Lays out a number: sign, prefix ("0x"), integer digits (grouped), then the rest
// (fraction, exponent, '%'), padded as the spec says (CPython's fill_number).
std::string layout_number(const std::string& sign, const std::string& prefix,
                          const std::string& digits, const std::string& rest, const Spec& spec,
                          int group) {
    int64_t fixed = static_cast<int64_t>(sign.size() + prefix.size() + utf8_length(rest));
    int64_t min_width = spec.fill == '0' && spec.align == '=' ? spec.width - fixed : 0;
    std::string grouped =
        digits.empty() ? "" : group_digits(digits, group, spec.thousands, min_width);
    int64_t length = fixed + static_cast<int64_t>(grouped.size());
    int64_t padding = std::max<int64_t>(0, spec.width - length);
    std::string out;
    if (spec.align == '=') {
        out = sign + prefix;
        append_fill(out, spec.fill, padding);
        return out + grouped + rest;
    }
    return pad(sign + prefix + grouped + rest, length, spec);
}

Value format_int(Value v, const Spec& spec) {
    if (spec.precision != -1)
        return raise(exc.ValueError, "Precision not allowed in integer format specifier");
    if (spec.no_neg_zero)
        return raise(exc.ValueError,
                     "Negative zero coercion (z) not allowed in integer format specifier");
    MpzView z(v.is_bool() ? Value::small_int(v.is_true()) : v);
    Value plain = v.is_bool() ? Value::small_int(v.is_true()) : v;
    std::string sign, prefix, digits;
    bool negative = mpz_sgn(z.get()) < 0;
    int group = 3;
    switch (spec.type) {
        case 'c': {
            if (spec.sign)
                return raise(exc.ValueError, "Sign not allowed with integer format specifier 'c'");
            if (spec.alternate)
                return raise(exc.ValueError,
                             "Alternate form (#) not allowed with integer format specifier 'c'");
            if (negative || mpz_cmp_ui(z.get(), 0x10FFFF) > 0)
                return raise(exc.OverflowError, "%c arg not in range(0x110000)");
            std::string ch;
            utf8_encode(static_cast<uint32_t>(mpz_get_ui(z.get())), ch);
            Spec s = spec;
            if (!s.align) s.align = '>';
            return str_value(layout_number("", "", "", ch, s, 3));
        }
        case 'b': case 'o': case 'x': case 'X': {
            int base = spec.type == 'b' ? 2 : spec.type == 'o' ? 8 : 16;
            digits = int_to_string(plain, base);
            if (negative) digits.erase(0, 1);
            if (spec.type == 'X')
                for (char& c : digits) c = static_cast<char>(std::toupper(c));
            if (spec.alternate) prefix = std::string("0") + static_cast<char>(spec.type);
            group = 4;
            break;
        }
        default: {  // 'd', 'n'
            Value text = int_repr(plain);
            if (text.is_null()) return text;
            digits = std::string(str_view(text));
            if (negative) digits.erase(0, 1);
            break;
        }
    }
    if (negative)
        sign = "-";
    else if (spec.sign == '+' || spec.sign == ' ')
        sign = std::string(1, spec.sign);
    return str_value(layout_number(sign, prefix, digits, "", spec, group));
}

Value format_float(double d, const Spec& spec) {
    char type = static_cast<char>(spec.type);
    int64_t precision = spec.precision;
    unsigned flags = 0;
    if (spec.alternate) flags |= kFloatAlt;
    if (spec.no_neg_zero) flags |= kFloatNoNegZero;
    bool percent = type == '%';
    if (type == '\0') {
        flags |= kFloatAddDot0;
        type = precision < 0 ? 'r' : 'g';
    } else if (type == 'n') {
        type = 'g';
    } else if (percent) {
        d *= 100;
        type = 'f';
    }
    if (precision < 0) precision = 6;
    if (precision > 1000000) return raise(exc.ValueError, "precision too big");
    std::string text = format_double(d, type, static_cast<int>(precision), flags);
    std::string sign;
    if (!text.empty() && text[0] == '-') {
        sign = "-";
        text.erase(0, 1);
    } else if (spec.sign == '+' || spec.sign == ' ') {
        sign = std::string(1, spec.sign);
    }
    if (percent) text += '%';
    size_t digits_end = 0;
    while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9')
        ++digits_end;
    return str_value(
        layout_number(sign, "", text.substr(0, digits_end), text.substr(digits_end), spec, 3));
}

}  // namespace

Value format_number(Value v, std::string_view spec_text) {
    if (spec_text.empty()) return to_str(v);
    bool is_integer = is_int(v);
    const std::string& name = type_name(v);
    Spec spec;
    if (!parse_spec(spec_text, is_integer ? 'd' : '\0', '>', name, &spec)) return Value::null();
    switch (spec.type) {
        case 'b': case 'c': case 'd': case 'o': case 'x': case 'X':
            if (!is_integer) return unknown_code(spec.type, name);
            return format_int(v, spec);
        case 'n':
            if (is_integer) return format_int(v, spec);
            break;
        case '\0': case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case '%': break;
        default: return unknown_code(spec.type, name);
    }
    double d;
    if (is_integer) {
        if (!int_to_double(v, &d)) return Value::null();
    } else {
        d = float_value(v);
    }
    return format_float(d, spec);
}

Value format_str(std::string_view s, std::string_view spec_text) {
    if (spec_text.empty()) return str_value(s);
    static const std::string kStr = "str";
    Spec spec;
    if (!parse_spec(spec_text, 's', '<', kStr, &spec)) return Value::null();
    if (spec.type != 's') return unknown_code(spec.type, kStr);
    if (spec.sign == ' ') return raise(exc.ValueError, "Space not allowed in string format specifier");
    if (spec.sign) return raise(exc.ValueError, "Sign not allowed in string format specifier");
    if (spec.no_neg_zero)
        return raise(exc.ValueError,
                     "Negative zero coercion (z) not allowed in string format specifier");
    if (spec.alternate)
        return raise(exc.ValueError, "Alternate form (#) not allowed in string format specifier");
    if (spec.align == '=')
        return raise(exc.ValueError, "'=' alignment not allowed in string format specifier");
    std::string body(s);
    int64_t length = utf8_length(s);
    if (spec.precision >= 0 && spec.precision < length) {
        body.resize(utf8_offset(s, spec.precision));
        length = spec.precision;
    }
    return str_value(pad(body, length, spec));
}

}  // namespace apy::rt
