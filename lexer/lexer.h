// The lexer: turns a Source into Tokens following CPython 3.11's tokenizer, including its
// INDENT/DEDENT rules and its error messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lexer/source.h"
#include "lexer/token.h"

namespace apy::lex {

class Lexer {
public:
    // [source] must outlive the lexer.
    explicit Lexer(const apy::Source& source);

    // The next token; EndOfFile forever once the end is reached.
    // Throws apy::SyntaxErrorInfo (SyntaxError, IndentationError or TabError) on bad input.
    Token next();

    // After a parse error CPython tokenizes the rest of the file and reports a tokenizer
    // error found there instead (e.g. an unclosed bracket on an earlier line). For such a
    // scan, turn this on: the lexer then stops raising the errors that CPython's parser
    // raises rather than its tokenizer ("unexpected indent", bad escapes, stray '$' '?' '!',
    // '<>'), skipping the offending characters.
    void set_tokenizer_errors_only(bool on) { tokenizer_errors_only_ = on; }

private:
    struct Bracket {
        char ch;
        int line;
        int col;
    };

    Token next_token();
    bool indentation();  // handles the start of a line; true when INDENT/DEDENTs are pending
    Token scan_name(const char* start, const char* end);
    Token scan_number(const char* start);
    Token scan_string(const char* start, const char* quote);
    Token punct(Tok kind, const char* start, const char* end);

    Token make(Tok kind, Pos begin, Pos end, std::string text = {});
    Pos pos(const char* p) const;
    int col(const char* p) const;
    void new_line(const char* start);
    [[noreturn]] void fail(const char* type, const std::string& message, int line, int col,
                           int end_col = -1) const;
    // A SyntaxError with the caret under the character just before [p], like CPython's
    // syntaxerror() whose offset is that of the tokenizer's cursor.
    [[noreturn]] void fail_before(const char* p, const std::string& message) const;
    // A SyntaxError whose caret column CPython's tokenizer counts in characters: converts
    // [byte_col] on [line] (see SyntaxErrorInfo::col).
    [[noreturn]] void fail_chars(const std::string& message, int line, int byte_col) const;

    const Source& source_;
    const char* text_;        // source_.text, NUL-terminated
    const char* end_;         // the terminating NUL
    const char* cur_;         // the next byte to scan
    const char* line_start_;  // the first byte of the current physical line
    int line_ = 1;

    bool tokenizer_errors_only_ = false;
    bool validated_ = false;   // the text was checked for malformed UTF-8
    bool at_bol_ = true;       // at the beginning of a physical line outside brackets
    bool blank_line_ = false;  // the current line holds only whitespace and comments
    bool after_continuation_ = false;  // the last thing scanned was a backslash-newline
    int pending_ = 0;          // INDENTs (> 0) or DEDENTs (< 0) still to hand out
    Pos pending_pos_;
    int pending_end_col_ = 0;
    std::vector<int> indents_{0};      // columns with tabs to multiples of 8
    std::vector<int> alt_indents_{0};  // columns with tabs counted as 1, to detect TabError
    std::vector<Bracket> brackets_;
    Tok last_ = Tok::Newline;          // the last token handed out
    bool line_ended_with_colon_ = false;

    // An escape error in a String: CPython reports it at the token after the strings.
    std::optional<SyntaxErrorInfo> deferred_;
};

// Decodes the backslash escapes of a string literal's body as CPython 3.11 does (returns
// [raw] unchanged when [is_raw]). The parser uses it for the literal parts of f-strings.
// On a bad escape it throws SyntaxErrorInfo with CPython's "(unicode error) ..." message,
// line 0 and col -1: the caller supplies the position.
std::string decode_escapes(std::string_view raw, bool is_raw);

}  // namespace apy::lex
