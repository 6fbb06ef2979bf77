#include "lexer/unicode.h"

#include <algorithm>

namespace apy::lex::unicode {

namespace {

bool in_table(const CodeRange* table, size_t size, uint32_t cp) {
    const CodeRange* end = table + size;
    const CodeRange* it =
        std::upper_bound(table, end, cp, [](uint32_t c, const CodeRange& r) { return c < r.lo; });
    return it != table && cp <= (it - 1)->hi;
}

}  // namespace

bool is_xid_start(uint32_t cp) {
    if (cp < 0x80) return (cp | 0x20) - 'a' < 26 || cp == '_';
    return in_table(xid_start, xid_start_size, cp);
}

bool is_xid_continue(uint32_t cp) {
    if (cp < 0x80) return (cp | 0x20) - 'a' < 26 || cp - '0' < 10 || cp == '_';
    return in_table(xid_continue, xid_continue_size, cp);
}

bool is_printable(uint32_t cp) {
    if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
    return in_table(printable, printable_size, cp);
}

uint32_t decode_utf8(std::string_view s, size_t& i) {
    auto byte = [&](size_t k) -> uint32_t {
        return k < s.size() ? static_cast<unsigned char>(s[k]) : 0;
    };
    uint32_t c = byte(i);
    if (c < 0x80) {
        i += 1;
        return c;
    }
    if (c < 0xE0) {
        uint32_t cp = ((c & 0x1F) << 6) | (byte(i + 1) & 0x3F);
        i += 2;
        return cp;
    }
    if (c < 0xF0) {
        uint32_t cp = ((c & 0x0F) << 12) | ((byte(i + 1) & 0x3F) << 6) | (byte(i + 2) & 0x3F);
        i += 3;
        return cp;
    }
    uint32_t cp = ((c & 0x07) << 18) | ((byte(i + 1) & 0x3F) << 12) |
                  ((byte(i + 2) & 0x3F) << 6) | (byte(i + 3) & 0x3F);
    i += 4;
    return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
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

size_t find_invalid_utf8(std::string_view s) {
    size_t i = 0;
    const size_t n = s.size();
    auto cont = [&](size_t k) {
        return k < n && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80;
    };
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        uint32_t min;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4, min = 0x10000;
        } else {
            return i;
        }
        for (size_t k = 1; k < len; ++k) {
            if (!cont(i + k)) return i;
        }
        size_t j = i;
        uint32_t cp = decode_utf8(s, j);
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return std::string_view::npos;
}

int count_code_points(std::string_view s, size_t n) {
    int count = 0;
    size_t limit = std::min(n, s.size());
    for (size_t i = 0; i < limit; ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++count;
    }
    if (n > s.size()) count += static_cast<int>(n - s.size());
    return count;
}

}  // namespace apy::lex::unicode
