// A source file held in memory, and the error the front end raises for bad source.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace apy {

struct Source {
    Source(std::string path, std::string text);

    std::string path;  // as shown in tracebacks: the script path, "<string>" or "<stdin>"
    std::string text;  // UTF-8; always ends with '\n' unless empty

    // The text of 1-based line [line] without its newline ("" when out of range).
    std::string line_text(int line) const;

private:
    std::vector<size_t> line_starts_;
};

// A SyntaxError, IndentationError or TabError found by the lexer, parser or compiler.
// C++ exceptions are fine here: the front end is not a hot path.
struct SyntaxErrorInfo : std::runtime_error {
    SyntaxErrorInfo(std::string type, std::string message, int line, int col, int end_col = -1)
        : std::runtime_error(message), type(std::move(type)), message(std::move(message)),
          line(line), col(col), end_col(end_col) {}

    std::string type;     // "SyntaxError", "IndentationError" or "TabError"
    std::string message;  // CPython's text, e.g. "invalid syntax"
    int line;             // 1-based
    // 0-based byte column of the caret, -1 for none. Like CPython, format_syntax_error
    // uses it as a character count: CPython's parser and compiler report byte offsets that
    // way. The few lexer errors that CPython's tokenizer reports in characters (bad
    // characters, literals, brackets) hold a character column instead.
    int col;
    int end_col;          // 0-based exclusive end of a ^^^ range, -1 for a single caret
};

// Formats [error] the way CPython prints it, ending with "SyntaxError: message\n".
std::string format_syntax_error(const Source& source, const SyntaxErrorInfo& error);

}  // namespace apy
