#include "runtime/unicode.h"

#include <algorithm>
#include <iterator>

namespace apy::rt {

namespace {

struct CaseRun {
    uint32_t first, last;
    int32_t delta;
    uint32_t step;  // 1: every code point of the run maps; 2: every other one
};
struct CaseSpecial {
    uint32_t cp;
    uint32_t mapped[3];  // zero-padded
};

#include "runtime/unicode_tables.inc"

uint16_t flags_of(uint32_t cp) {
    if (cp >= 0x110000) return 0;
    const uint32_t* end = std::end(kFlagStarts);
    const uint32_t* it = std::upper_bound(std::begin(kFlagStarts), end, cp);
    return kFlagValues[it - std::begin(kFlagStarts) - 1];
}

template <size_t NR, size_t NS>
int map_with(const CaseRun (&runs)[NR], const CaseSpecial (&special)[NS], uint32_t cp,
             uint32_t out[3]) {
    auto sit = std::lower_bound(std::begin(special), std::end(special), cp,
                                [](const CaseSpecial& s, uint32_t c) { return s.cp < c; });
    if (sit != std::end(special) && sit->cp == cp) {
        int n = 0;
        while (n < 3 && sit->mapped[n] != 0) {
            out[n] = sit->mapped[n];
            ++n;
        }
        return n;
    }
    auto rit = std::upper_bound(std::begin(runs), std::end(runs), cp,
                                [](uint32_t c, const CaseRun& r) { return c < r.first; });
    out[0] = cp;
    if (rit != std::begin(runs)) {
        const CaseRun& run = *(rit - 1);
        if (cp <= run.last && (cp - run.first) % run.step == 0) out[0] = cp + run.delta;
    }
    return 1;
}

const char kHexDigits[] = "0123456789abcdef";

void append_hex(std::string& out, uint32_t value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        out += kHexDigits[(value >> shift) & 0xF];
}

std::string quote_str(std::string_view s, bool ascii_only) {
    bool has_single = s.find('\'') != std::string_view::npos;
    bool has_double = s.find('"') != std::string_view::npos;
    char quote = has_single && !has_double ? '"' : '\'';
    std::string out;
    out.reserve(s.size() + 2);
    out += quote;
    size_t pos = 0;
    while (pos < s.size()) {
        size_t start = pos;
        uint32_t cp = utf8_decode(s, pos);
        if (cp == static_cast<uint32_t>(quote) || cp == '\\') {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (cp < ' ' || cp == 0x7F) {
            out += "\\x";
            append_hex(out, cp, 2);
        } else if (cp < 0x7F || (!ascii_only && is_printable(cp))) {
            out.append(s.substr(start, pos - start));
        } else if (cp <= 0xFF) {
            out += "\\x";
            append_hex(out, cp, 2);
        } else if (cp <= 0xFFFF) {
            out += "\\u";
            append_hex(out, cp, 4);
        } else {
            out += "\\U";
            append_hex(out, cp, 8);
        }
    }
    out += quote;
    return out;
}

}  // namespace

uint32_t utf8_decode(std::string_view s, size_t& pos) {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char lead = byte(pos);
    if (lead < 0x80) {
        ++pos;
        return lead;
    }
    int width;
    uint32_t cp;
    if (lead >= 0xC2 && lead < 0xE0) {
        width = 2;
        cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead < 0xF0) {
        width = 3;
        cp = lead & 0x0F;
    } else if (lead >= 0xF0 && lead < 0xF5) {
        width = 4;
        cp = lead & 0x07;
    } else {
        ++pos;
        return kInvalidCodePoint;
    }
    if (pos + width > s.size()) {
        ++pos;
        return kInvalidCodePoint;
    }
    for (int i = 1; i < width; ++i) {
        unsigned char c = byte(pos + i);
        if ((c & 0xC0) != 0x80) {
            ++pos;
            return kInvalidCodePoint;
        }
        cp = (cp << 6) | (c & 0x3F);
    }
    // Reject overlong forms and values past U+10FFFF.
    if ((width == 3 && cp < 0x800) || (width == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        ++pos;
        return kInvalidCodePoint;
    }
    pos += width;
    return cp;
}

void utf8_encode(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

bool utf8_valid(std::string_view s) {
    size_t pos = 0;
    while (pos < s.size()) {
        if (static_cast<unsigned char>(s[pos]) < 0x80) {
            ++pos;
        } else if (utf8_decode(s, pos) == kInvalidCodePoint) {
            return false;
        }
    }
    return true;
}

int64_t utf8_length(std::string_view s) {
    int64_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

size_t utf8_offset(std::string_view s, int64_t index) {
    size_t pos = 0;
    while (index > 0 && pos < s.size()) {
        pos += utf8_lead_width(static_cast<unsigned char>(s[pos]));
        --index;
    }
    return std::min(pos, s.size());
}

int64_t utf8_index(std::string_view s, size_t offset) { return utf8_length(s.substr(0, offset)); }

bool is_alpha(uint32_t cp) { return flags_of(cp) & kAlpha; }
bool is_decimal(uint32_t cp) { return flags_of(cp) & kDecimal; }
bool is_digit(uint32_t cp) { return flags_of(cp) & kDigit; }
bool is_numeric(uint32_t cp) { return flags_of(cp) & kNumeric; }
bool is_alnum(uint32_t cp) { return flags_of(cp) & (kAlpha | kDecimal | kDigit | kNumeric); }
bool is_space(uint32_t cp) { return flags_of(cp) & kSpace; }
bool is_upper(uint32_t cp) { return flags_of(cp) & kUpper; }
bool is_lower(uint32_t cp) { return flags_of(cp) & kLower; }
bool is_title(uint32_t cp) { return flags_of(cp) & kTitle; }
bool is_cased(uint32_t cp) { return flags_of(cp) & kCased; }
bool is_case_ignorable(uint32_t cp) { return flags_of(cp) & kCaseIgnorable; }
bool is_printable(uint32_t cp) { return flags_of(cp) & kPrintable; }
bool is_id_start(uint32_t cp) { return flags_of(cp) & kIdStart; }
bool is_id_continue(uint32_t cp) { return flags_of(cp) & kIdContinue; }

bool is_linebreak(uint32_t cp) {
    return cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || (cp >= 0x1C && cp <= 0x1E) ||
           cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

int decimal_value(uint32_t cp) {
    if (cp >= '0' && cp <= '9') return static_cast<int>(cp - '0');
    if (cp >= 0x110000) return -1;
    // Decimal digits come in runs of whole 0-9 sets, each run starting a flag range.
    const uint32_t* it = std::upper_bound(std::begin(kFlagStarts), std::end(kFlagStarts), cp);
    size_t i = it - std::begin(kFlagStarts) - 1;
    if (!(kFlagValues[i] & kDecimal)) return -1;
    return static_cast<int>((cp - kFlagStarts[i]) % 10);
}

int case_map(CaseMapping mapping, uint32_t cp, uint32_t out[3]) {
    switch (mapping) {
    case CaseMapping::Lower: return map_with(kLowerRuns, kLowerSpecial, cp, out);
    case CaseMapping::Upper: return map_with(kUpperRuns, kUpperSpecial, cp, out);
    case CaseMapping::Title: return map_with(kTitleRuns, kTitleSpecial, cp, out);
    case CaseMapping::Fold: return map_with(kFoldRuns, kFoldSpecial, cp, out);
    }
    out[0] = cp;
    return 1;
}

std::string repr_of_str(std::string_view utf8) { return quote_str(utf8, false); }
std::string ascii_of_str(std::string_view utf8) { return quote_str(utf8, true); }

}  // namespace apy::rt
