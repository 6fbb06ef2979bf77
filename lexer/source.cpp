#include "lexer/source.h"

#include <algorithm>

namespace apy {

Source::Source(std::string path_arg, std::string text_arg) : path(std::move(path_arg)) {
    // CPython drops a UTF-8 BOM and reads with universal newlines, so columns and line
    // numbers never see either.
    std::string_view in = text_arg;
    if (in.substr(0, 3) == "\xEF\xBB\xBF") in.remove_prefix(3);
    text.reserve(in.size() + 1);
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '\r') {
            text += '\n';
            if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
        } else {
            text += in[i];
        }
    }
    if (!text.empty() && text.back() != '\n') text += '\n';
    line_starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && i + 1 < text.size()) line_starts_.push_back(i + 1);
    }
}

std::string Source::line_text(int line) const {
    if (line < 1 || static_cast<size_t>(line) > line_starts_.size() || text.empty()) return "";
    size_t start = line_starts_[line - 1];
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    return text.substr(start, end - start);
}

std::string format_syntax_error(const Source& source, const SyntaxErrorInfo& error) {
    std::string out;
    std::string tail = error.type + ": " + error.message + "\n";
    if (error.line <= 0) return tail;  // e.g. a decoding error: CPython shows no location
    out += "  File \"" + source.path + "\", line " + std::to_string(error.line) + "\n";
    // The text ends with '\n', so it has as many lines as newlines.
    auto line_count = std::count(source.text.begin(), source.text.end(), '\n');
    if (error.line > line_count) return out + tail;

    std::string text = source.line_text(error.line);
    // CPython's C code sees the line as a C string: it stops at a NUL byte.
    if (size_t nul = text.find('\0'); nul != std::string::npos) text.resize(nul);

    // The rest follows print_error_text() in CPython 3.11's pythonrun.c: offsets are 1-based
    // there, and the caret is placed by counting characters.
    long offset = error.col < 0 ? 0 : error.col + 1;
    long end_offset = error.end_col < 0 ? -1 : error.end_col + 1;
    long line_size = static_cast<long>(text.size()) + 1;  // the text includes its newline
    if (end_offset > line_size + 1) end_offset = line_size + 1;
    long carets = (end_offset > 0 && end_offset > offset) ? end_offset - offset : 1;

    offset--;
    size_t start = 0;
    while (start < text.size() && (text[start] == ' ' || text[start] == '\t' ||
                                   text[start] == '\f')) {
        ++start;
        --offset;
    }
    long len = static_cast<long>(text.size() - start);
    if (offset > len) offset = len;
    out += "    " + text.substr(start) + "\n";
    if (offset >= 0) {
        out += "    " + std::string(offset, ' ') + std::string(carets, '^') + "\n";
    }
    return out + tail;
}

}  // namespace apy
