// The layout and literal logic of the lexer, ported from CPython 3.11's Parser/tokenizer.c so
// that tokens and error messages (with their positions) match it.
#include "lexer/lexer.h"

#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "lexer/scanner.h"
#include "lexer/unicode.h"

namespace apy::lex {

namespace {

constexpr size_t kMaxIndent = 100;  // CPython's MAXINDENT
constexpr size_t kMaxLevel = 200;   // CPython's MAXLEVEL (nested brackets)
constexpr int kTabSize = 8;

const char* const kTabError = "inconsistent use of tabs and spaces in indentation";

bool is_digit(int c) {
    return c >= '0' && c <= '9';
}

bool is_xdigit(int c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// CPython's is_potential_identifier_char: what may continue a name, or glue onto a number.
bool is_potential_identifier_char(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || is_digit(c) ||
           c >= 128;
}

std::string hex_code(uint32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04X", cp);
    return buf;
}

Tok keyword_kind(std::string_view name) {
    static const std::unordered_map<std::string_view, Tok> keywords = {
#define KEYWORD(name, text) {text, Tok::name},
#include "lexer/tokens.def"
    };
    auto it = keywords.find(name);
    return it == keywords.end() ? Tok::Name : it->second;
}

bool is_string_kind(Tok kind) {
    return kind == Tok::String || kind == Tok::FString || kind == Tok::Bytes;
}

}  // namespace

Lexer::Lexer(const apy::Source& source)
    : source_(source),
      text_(source.text.c_str()),
      end_(text_ + source.text.size()),
      cur_(text_),
      line_start_(text_) {}

Token Lexer::next() {
    if (!validated_) {
        validated_ = true;
        size_t bad = unicode::find_invalid_utf8(source_.text);
        if (bad != std::string_view::npos) {
            int line = 1;
            for (size_t i = 0; i < bad; ++i) line += source_.text[i] == '\n';
            char byte[8];
            auto c = static_cast<unsigned char>(source_.text[bad]);
            std::snprintf(byte, sizeof byte, "\\x%02x", c);
            // CPython raises this one without a location.
            fail("SyntaxError",
                 std::string("Non-UTF-8 code starting with '") + byte + "' in file " +
                     source_.path + " on line " + std::to_string(line) +
                     ", but no encoding declared; see https://peps.python.org/pep-0263/ for "
                     "details",
                 0, -1);
        }
    }
    Token token = next_token();
    if (deferred_ && tokenizer_errors_only_) deferred_.reset();
    if (deferred_ && !is_string_kind(token.kind)) {
        // CPython decodes a string when the parser has read the token after it, and
        // reports a bad escape at that token.
        SyntaxErrorInfo error = *deferred_;
        deferred_.reset();
        error.line = token.begin.line;
        error.col = token.begin.col;
        bool wide = token.end.line == token.begin.line && token.end.col > token.begin.col + 1;
        error.end_col = wide ? token.end.col : -1;
        throw error;
    }
    last_ = token.kind;
    return token;
}

Token Lexer::next_token() {
    for (;;) {
        if (pending_ > 0) {
            --pending_;
            return make(Tok::Indent, {pending_pos_.line, 0}, pending_pos_);
        }
        if (pending_ < 0) {
            ++pending_;
            return make(Tok::Dedent, pending_pos_, pending_pos_);
        }
        if (at_bol_ && indentation()) continue;

        const char* start = cur_;
        detail::RawToken raw = detail::scan_raw(start);
        if (raw.kind != detail::Raw::Space && raw.kind != detail::Raw::Continuation) {
            if (raw.kind == detail::Raw::End && after_continuation_ && start == end_ &&
                brackets_.empty()) {
                int line = line_ - 1;
                fail("SyntaxError", "unexpected EOF while parsing", line,
                     static_cast<int>(source_.line_text(line).size()));
            }
            after_continuation_ = false;
        }
        switch (raw.kind) {
        case detail::Raw::Space:
        case detail::Raw::Comment:
            cur_ = raw.end;
            continue;
        case detail::Raw::Continuation:
            cur_ = raw.end;
            new_line(raw.end);
            after_continuation_ = true;
            continue;
        case detail::Raw::LoneBackslash:
            fail("SyntaxError", "unexpected character after line continuation character", line_,
                 col(start) + 1);
        case detail::Raw::Newline: {
            Pos begin = pos(start);
            bool emit = !blank_line_ && brackets_.empty();
            cur_ = raw.end;
            new_line(raw.end);
            blank_line_ = false;
            if (brackets_.empty()) at_bol_ = true;
            if (!emit) continue;
            line_ended_with_colon_ = last_ == Tok::Colon;
            return make(Tok::Newline, begin, {begin.line, begin.col + 1});
        }
        case detail::Raw::End:
            if (start != end_) {
                fail("SyntaxError", "source code cannot contain null bytes", line_, -1);
            }
            if (!brackets_.empty()) {
                const Bracket& open = brackets_.back();
                fail("SyntaxError", std::string("'") + open.ch + "' was never closed", open.line,
                     open.col);
            }
            return make(Tok::EndOfFile, pos(start), pos(start));
        case detail::Raw::Name:
            return scan_name(start, raw.end);
        case detail::Raw::Number:
            return scan_number(start);
        case detail::Raw::String:
            return scan_string(start, raw.end - 1);
        case detail::Raw::Punct:
            return punct(raw.punct, start, raw.end);
        case detail::Raw::NotEqualAlt:
            if (tokenizer_errors_only_) return punct(Tok::NotEqual, start, raw.end);
            fail("SyntaxError", "invalid syntax", line_, col(start), col(start) + 2);
        case detail::Raw::Bad: {
            // Non-ASCII characters always scan as names, so this is an ASCII byte.
            auto c = static_cast<unsigned char>(*start);
            if (unicode::is_printable(c)) {
                if (tokenizer_errors_only_) {
                    cur_ = raw.end;
                    continue;
                }
                fail("SyntaxError", "invalid syntax", line_, col(start));
            }
            fail_chars("invalid non-printable character U+" + hex_code(c), line_, col(start));
        }
        }
    }
}

bool Lexer::indentation() {
    at_bol_ = false;
    blank_line_ = false;
    int column = 0;
    int alt_column = 0;  // tabs count as one column: must order lines the same way
    const char* p = cur_;
    for (;; ++p) {
        if (*p == ' ') {
            ++column, ++alt_column;
        } else if (*p == '\t') {
            column = (column / kTabSize + 1) * kTabSize;
            ++alt_column;
        } else if (*p == '\f') {
            column = alt_column = 0;  // a form feed resets the column, as in CPython
        } else {
            break;
        }
    }
    cur_ = p;
    if (*p == '#' || *p == '\n') {
        blank_line_ = true;  // such lines affect neither indentation nor NEWLINEs
        return false;
    }
    if (column == indents_.back()) {
        if (alt_column != alt_indents_.back()) fail("TabError", kTabError, line_, 0);
    } else if (column > indents_.back()) {
        if (indents_.size() >= kMaxIndent) {
            fail("IndentationError", "too many levels of indentation", line_, 0);
        }
        if (alt_column <= alt_indents_.back()) fail("TabError", kTabError, line_, 0);
        // An INDENT is only valid after a block header's ':'. CPython's parser reports this,
        // with no caret, when it reads the INDENT.
        if (!line_ended_with_colon_ && !tokenizer_errors_only_) {
            fail("IndentationError", "unexpected indent", line_, -1);
        }
        indents_.push_back(column);
        alt_indents_.push_back(alt_column);
        pending_ = 1;
    } else {
        while (indents_.size() > 1 && column < indents_.back()) {
            indents_.pop_back();
            alt_indents_.pop_back();
            --pending_;
        }
        if (column != indents_.back()) {
            // CPython puts the caret at the end of the line.
            fail("IndentationError", "unindent does not match any outer indentation level",
                 line_, static_cast<int>(std::strcspn(line_start_, "\n")));
        }
        if (alt_column != alt_indents_.back()) fail("TabError", kTabError, line_, 0);
    }
    pending_pos_ = pos(cur_);
    return pending_ != 0;
}

Token Lexer::scan_name(const char* start, const char* end) {
    std::string_view name(start, end - start);
    bool ascii = true;
    for (char c : name) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    if (!ascii) {
        size_t i = 0;
        while (i < name.size()) {
            size_t at = i;
            uint32_t cp = unicode::decode_utf8(name, i);
            bool ok = at == 0 ? unicode::is_xid_start(cp) : unicode::is_xid_continue(cp);
            if (ok) continue;
            std::string message;
            if (unicode::is_printable(cp)) {
                message = "invalid character '" + std::string(name.substr(at, i - at)) +
                          "' (U+" + hex_code(cp) + ")";
            } else {
                message = "invalid non-printable character U+" + hex_code(cp);
            }
            fail_chars(message, line_, col(start + at));
        }
    }
    cur_ = end;
    return make(keyword_kind(name), pos(start), pos(end), std::string(name));
}

// A port of the number branch of CPython's tok_get(), so that the same inputs fail with
// the same messages at the same columns. `c = next()` / `back()` mirror tok_nextc/tok_backup.
Token Lexer::scan_number(const char* start) {
    const char* p = start;
    auto next = [&]() -> int { return static_cast<unsigned char>(*p++); };
    auto back = [&]() { --p; };
    bool is_float = false;
    bool is_imaginary = false;

    auto lookahead = [&](const char* word) {
        size_t n = std::strlen(word);
        return std::strncmp(p, word, n) == 0 &&
               !is_potential_identifier_char(static_cast<unsigned char>(p[n]));
    };
    // CPython 3.11 only warns when a keyword that may follow a number is glued to it
    // ("1if x else 2"); any other name character is an error.
    auto verify_end = [&](int c, const char* kind) {
        bool keyword = false;
        switch (c) {
        case 'a': keyword = lookahead("nd"); break;
        case 'e': keyword = lookahead("lse"); break;
        case 'f': keyword = lookahead("or"); break;
        case 'i': keyword = *p == 'f' || *p == 'n' || *p == 's'; break;
        case 'o': keyword = lookahead("r"); break;
        case 'n': keyword = lookahead("ot"); break;
        }
        // A non-ASCII character does not count here: "1é" is a number and a name.
        if (!keyword && c < 128 && is_potential_identifier_char(c)) {
            back();
            fail_before(p, std::string("invalid ") + kind + " literal");
        }
    };
    auto decimal_tail = [&]() -> int {
        int c;
        for (;;) {
            do {
                c = next();
            } while (is_digit(c));
            if (c != '_') break;
            c = next();
            if (!is_digit(c)) {
                back();
                fail_before(p, "invalid decimal literal");
            }
        }
        return c;
    };
    // The part after the integer digits: exponent, then 'j'; [c] is the next character.
    auto exponent_and_suffix = [&](int c) -> bool {
        if (c == 'e' || c == 'E') {
            int e = c;
            c = next();
            if (c == '+' || c == '-') {
                c = next();
                if (!is_digit(c)) {
                    back();
                    fail_before(p, "invalid decimal literal");
                }
            } else if (!is_digit(c)) {
                back();
                verify_end(e, "decimal");
                back();  // only "1else" gets here: the 'e' starts the keyword
                return false;
            }
            is_float = true;
            c = decimal_tail();
        }
        if (c == 'j' || c == 'J') {
            is_imaginary = true;
            c = next();
            verify_end(c, "imaginary");
        } else {
            verify_end(c, "decimal");
        }
        return true;
    };
    auto fraction = [&](int c) -> bool {  // [c] is the character after the '.'
        is_float = true;
        if (is_digit(c)) c = decimal_tail();
        return exponent_and_suffix(c);
    };
    // Scans a prefixed integer's digits, e.g. the "ff_ff" of "0xff_ff".
    auto radix_digits = [&](auto is_radix_digit, const char* kind) {
        int c = next();
        do {
            if (c == '_') c = next();
            if (!is_radix_digit(c)) {
                if (is_digit(c) && std::strcmp(kind, "hexadecimal") != 0) {
                    fail_before(p, "invalid digit '" + std::string(1, static_cast<char>(c)) +
                                       "' in " + kind + " literal");
                }
                back();
                fail_before(p, std::string("invalid ") + kind + " literal");
            }
            do {
                c = next();
            } while (is_radix_digit(c));
        } while (c == '_');
        if (is_digit(c) && std::strcmp(kind, "hexadecimal") != 0) {
            fail_before(p, "invalid digit '" + std::string(1, static_cast<char>(c)) + "' in " +
                               kind + " literal");
        }
        verify_end(c, kind);
        return true;
    };

    int c = next();
    bool unget = true;  // back up the character after the literal at the end
    if (c == '.') {
        unget = fraction(next());
    } else if (c != '0') {
        c = decimal_tail();
        if (c == '.') {
            unget = fraction(next());
        } else {
            unget = exponent_and_suffix(c);
        }
    } else {
        c = next();
        if (c == 'x' || c == 'X') {
            radix_digits(is_xdigit, "hexadecimal");
        } else if (c == 'o' || c == 'O') {
            radix_digits([](int d) { return d >= '0' && d < '8'; }, "octal");
        } else if (c == 'b' || c == 'B') {
            radix_digits([](int d) { return d == '0' || d == '1'; }, "binary");
        } else {
            // "0", "00", "0_0", or a float/imaginary like "012.5"; "012" is an error.
            bool nonzero = false;
            for (;;) {
                if (c == '_') {
                    c = next();
                    if (!is_digit(c)) {
                        back();
                        fail_before(p, "invalid decimal literal");
                    }
                }
                if (c != '0') break;
                c = next();
            }
            const char* zeros_end = p;
            if (is_digit(c)) {
                nonzero = true;
                c = decimal_tail();
            }
            if (c == '.') {
                unget = fraction(next());
            } else if (c == 'e' || c == 'E' || c == 'j' || c == 'J') {
                unget = exponent_and_suffix(c);
            } else if (nonzero) {
                fail("SyntaxError",
                     "leading zeros in decimal integer literals are not permitted; use an 0o "
                     "prefix for octal integers",
                     line_, col(start), col(zeros_end) - 1);
            } else {
                verify_end(c, "decimal");
            }
        }
    }
    if (unget) back();

    std::string text;
    for (const char* q = start; q < p; ++q) {
        if (*q != '_') text += *q;
    }
    cur_ = p;
    Tok kind = is_imaginary ? Tok::Imaginary : is_float ? Tok::Float : Tok::Int;
    return make(kind, pos(start), pos(p), std::move(text));
}

// [start] is the first prefix character (or the quote), [quote] the opening quote.
Token Lexer::scan_string(const char* start, const char* quote) {
    const Pos begin = pos(start);
    const char q = *quote;
    const char* p = quote + 1;
    int quote_size = 1;
    int end_quote_size = 0;
    if (*p == q) {
        if (p[1] == q) {
            quote_size = 3;
            p += 2;
        } else {
            end_quote_size = 1;  // the empty string
            ++p;
        }
    }
    const char* body = quote + quote_size;
    while (end_quote_size != quote_size) {
        char c = *p;
        if (c == '\0' && p != end_) {
            fail("SyntaxError", "source code cannot contain null bytes", line_, -1);
        }
        if (p == end_ || (quote_size == 1 && c == '\n')) {
            // CPython reports the line where it gave up; at the end of the text that is the
            // last line, not the empty one after the final newline.
            int detected = p == end_ && line_start_ == end_ && line_ > 1 ? line_ - 1 : line_;
            std::string what = quote_size == 3 ? "unterminated triple-quoted string literal"
                                               : "unterminated string literal";
            fail_chars(what + " (detected at line " + std::to_string(detected) + ")",
                       begin.line, begin.col);
        }
        ++p;
        if (c == '\n') new_line(p);
        if (c == q) {
            ++end_quote_size;
        } else {
            end_quote_size = 0;
            if (c == '\\' && p != end_) {
                char escaped = *p++;  // skip the escaped character, maybe a newline
                if (escaped == '\n') new_line(p);
            }
        }
    }
    std::string_view raw_body(body, p - quote_size - body);
    cur_ = p;

    bool is_bytes = false, is_f = false, is_raw = false;
    for (const char* c = start; c < quote; ++c) {
        switch (*c | 0x20) {
        case 'b': is_bytes = true; break;
        case 'f': is_f = true; break;
        case 'r': is_raw = true; break;
        default: break;
        }
    }
    Tok kind = is_bytes ? Tok::Bytes : is_f ? Tok::FString : Tok::String;
    std::string text;
    if (kind == Tok::String && !is_raw) {
        try {
            text = decode_escapes(raw_body, false);
        } catch (const SyntaxErrorInfo& error) {
            if (!deferred_) deferred_ = error;
        }
    } else {
        text = raw_body;
    }
    Token token = make(kind, begin, pos(p), std::move(text));
    token.raw = is_raw;
    return token;
}

Token Lexer::punct(Tok kind, const char* start, const char* end) {
    const char c = *start;
    if (kind == Tok::LParen || kind == Tok::LBracket || kind == Tok::LBrace) {
        if (brackets_.size() >= kMaxLevel) fail_before(end, "too many nested parentheses");
        brackets_.push_back({c, line_, col(start)});
    } else if (kind == Tok::RParen || kind == Tok::RBracket || kind == Tok::RBrace) {
        if (brackets_.empty()) fail_before(end, std::string("unmatched '") + c + "'");
        Bracket open = brackets_.back();
        brackets_.pop_back();
        char expected = open.ch == '(' ? ')' : open.ch == '[' ? ']' : '}';
        if (c != expected) {
            std::string message = std::string("closing parenthesis '") + c +
                                  "' does not match opening parenthesis '" + open.ch + "'";
            if (open.line != line_) message += " on line " + std::to_string(open.line);
            fail_before(end, message);
        }
    }
    cur_ = end;
    return make(kind, pos(start), pos(end), std::string(start, end));
}

Token Lexer::make(Tok kind, Pos begin, Pos end, std::string text) {
    Token token;
    token.kind = kind;
    token.text = std::move(text);
    token.begin = begin;
    token.end = end;
    return token;
}

Pos Lexer::pos(const char* p) const {
    return {line_, col(p)};
}

int Lexer::col(const char* p) const {
    return static_cast<int>(p - line_start_);
}

void Lexer::new_line(const char* start) {
    ++line_;
    line_start_ = start;
}

void Lexer::fail(const char* type, const std::string& message, int line, int col,
                 int end_col) const {
    throw SyntaxErrorInfo(type, message, line, col, end_col);
}

void Lexer::fail_before(const char* p, const std::string& message) const {
    const char* q = p - 1;
    // Step back to the start of a multi-byte character so the caret lands on it.
    while (q > line_start_ && (static_cast<unsigned char>(*q) & 0xC0) == 0x80) --q;
    fail_chars(message, line_, col(q));
}

void Lexer::fail_chars(const std::string& message, int line, int byte_col) const {
    std::string text = source_.line_text(line);
    fail("SyntaxError", message, line, unicode::count_code_points(text, byte_col));
}

}  // namespace apy::lex
