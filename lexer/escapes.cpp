// String escapes, decoded the way CPython 3.11's decode_unicode_with_escapes() does.
#include "lexer/lexer.h"
#include "lexer/unicode.h"

namespace apy::lex {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

[[noreturn]] void escape_error(long start, long end, const std::string& reason) {
    throw SyntaxErrorInfo("SyntaxError",
                          "(unicode error) 'unicodeescape' codec can't decode bytes in position " +
                              std::to_string(start) + "-" + std::to_string(end - 1) + ": " +
                              reason,
                          0, -1);
}

}  // namespace

std::string decode_escapes(std::string_view s, bool is_raw) {
    if (is_raw) return std::string(s);
    std::string out;
    out.reserve(s.size());
    // CPython first rewrites each non-ASCII character as "\UXXXXXXXX" and then runs the
    // unicode-escape codec, whose error messages give positions in that rewritten text.
    // [pos] tracks the position there.
    long pos = 0;
    size_t i = 0;
    const size_t n = s.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c != '\\') {
            size_t j = i;
            unicode::decode_utf8(s, j);
            out.append(s.substr(i, j - i));
            pos += c < 0x80 ? 1 : 10;
            i = j;
            continue;
        }
        const long start = pos;
        ++i, ++pos;
        if (i >= n || static_cast<unsigned char>(s[i]) >= 0x80) {
            // Rewritten as "\u005c": a backslash before a non-ASCII character (or at the end)
            // stays a backslash.
            out += '\\';
            pos += 5;
            continue;
        }
        const char e = s[i];
        ++i, ++pos;
        switch (e) {
        case '\n': break;  // a backslash-newline continues the string
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            uint32_t value = e - '0';
            for (int k = 0; k < 2 && i < n && s[i] >= '0' && s[i] <= '7'; ++k, ++i, ++pos) {
                value = value * 8 + (s[i] - '0');
            }
            unicode::append_utf8(out, value);
            break;
        }
        case 'x':
        case 'u':
        case 'U': {
            int count = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            std::string reason = e == 'x'   ? "truncated \\xXX escape"
                                 : e == 'u' ? "truncated \\uXXXX escape"
                                            : "truncated \\UXXXXXXXX escape";
            uint32_t value = 0;
            for (; count > 0; --count, ++i, ++pos) {
                int digit = i < n ? hex_value(s[i]) : -1;
                if (digit < 0) escape_error(start, pos, reason);
                value = value * 16 + digit;
            }
            if (value > 0x10FFFF) escape_error(start, pos, "illegal Unicode character");
            unicode::append_utf8(out, value);
            break;
        }
        case 'N': {
            const char* malformed = "malformed \\N character escape";
            if (i >= n || s[i] != '{') escape_error(start, pos, malformed);
            size_t close = s.find('}', i + 1);
            const size_t name_start = i + 1;
            // Positions count each non-ASCII character as its "\UXXXXXXXX" (10 characters).
            for (; i < n && (close == std::string_view::npos || i <= close); ++i) {
                pos += static_cast<unsigned char>(s[i]) < 0x80 ? 1 : 0;
                if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0xC0) pos += 10;
            }
            if (close == std::string_view::npos || close == name_start) {
                if (close != std::string_view::npos) --pos;  // the '}' is not part of it
                escape_error(start, pos, malformed);
            }
            int32_t cp = unicode::lookup_name(s.substr(name_start, close - name_start));
            if (cp < 0) escape_error(start, pos, "unknown Unicode character name");
            unicode::append_utf8(out, static_cast<uint32_t>(cp));
            break;
        }
        default:  // unknown escapes are kept as they are
            out += '\\';
            out += e;
            break;
        }
    }
    return out;
}

}  // namespace apy::lex
