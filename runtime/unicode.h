// UTF-8 and Unicode helpers. apy strings are UTF-8 (lone surrogates are
// allowed, encoded as 3 bytes, as CPython strings may hold them). Character
// classes and case mappings follow python3's Unicode database (tables generated
// by runtime/gen_unicode_tables.py).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace apy::rt {

inline constexpr uint32_t kInvalidCodePoint = 0xFFFFFFFF;

// Decodes the code point at s[pos] and advances pos past it. On malformed or
// truncated input returns kInvalidCodePoint and advances pos by one byte.
uint32_t utf8_decode(std::string_view s, size_t& pos);
// Appends the UTF-8 encoding of cp (cp <= 0x10FFFF).
void utf8_encode(uint32_t cp, std::string& out);
// Bytes of the encoding of cp.
inline int utf8_width(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }
// Bytes of the character whose first byte is [lead] (1 for a stray continuation byte).
inline int utf8_lead_width(unsigned char lead) {
    return lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}
// Whether s is well-formed (generalised) UTF-8: what make_str accepts.
bool utf8_valid(std::string_view s);
// Number of code points in valid UTF-8.
int64_t utf8_length(std::string_view s);
// Byte offset of code point [index] (0 <= index <= length) in valid UTF-8; walks from the start.
size_t utf8_offset(std::string_view s, int64_t index);
// Code point index of byte offset [offset] (a character boundary).
int64_t utf8_index(std::string_view s, size_t offset);

// Character classes, as CPython's str.isalpha() etc. for one character.
bool is_alpha(uint32_t cp);
bool is_decimal(uint32_t cp);
bool is_digit(uint32_t cp);
bool is_numeric(uint32_t cp);
bool is_alnum(uint32_t cp);  // alpha, decimal, digit or numeric
bool is_space(uint32_t cp);
bool is_upper(uint32_t cp);
bool is_lower(uint32_t cp);
bool is_title(uint32_t cp);  // category Lt
bool is_cased(uint32_t cp);
bool is_case_ignorable(uint32_t cp);
bool is_printable(uint32_t cp);
bool is_id_start(uint32_t cp);     // XID_Start or '_'
bool is_id_continue(uint32_t cp);  // XID_Continue
// Whether cp ends a line for str.splitlines (\n \r \v \f \x1c-\x1e \x85 \u2028 \u2029).
bool is_linebreak(uint32_t cp);
// The value 0-9 of a decimal digit (any script), or -1.
int decimal_value(uint32_t cp);

// Full case mappings (one code point may map to up to 3): the mapping of cp
// goes into out, the count is returned. Lower does not apply the final sigma rule.
enum class CaseMapping : uint8_t { Lower, Upper, Title, Fold };
int case_map(CaseMapping mapping, uint32_t cp, uint32_t out[3]);

// Python's repr of a str, quotes included: 'it''s' -> "it's", '\n' -> '\\n'.
std::string repr_of_str(std::string_view utf8);
// ascii() of a str: like repr_of_str, with non-ASCII escaped as \xhh, \uhhhh or \Uhhhhhhhh.
std::string ascii_of_str(std::string_view utf8);

}  // namespace apy::rt
