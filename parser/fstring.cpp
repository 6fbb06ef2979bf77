// Splitting an f-string body into literal parts and fields, as CPython 3.11's fstring_find_*
// functions do. Field expressions are parsed by a recursive parse of "(expr)" in Eval mode.
#include <string>
#include <string_view>

#include "lexer/lexer.h"
#include "parser/builder.h"
#include "parser/driver_impl.h"

namespace apy::parse {

using namespace ast;

namespace {

class FStringSplitter {
public:
    FStringSplitter(Builder& b, const StrPart& part, int line, int col, Arena& arena)
        : b_(b), part_(part), body_(part.text), line_(line), col_(col), arena_(arena) {}

    // Parses literal parts and fields until the end (level 0) or the '}' closing a format spec.
    void run(ExprList& out, int level) {
        while (true) {
            std::string literal = scan_literal(level);
            if (!literal.empty()) out.push_back(constant(decode(literal)));
            if (pos_ >= body_.size()) return;
            if (body_[pos_] == '}') return;  // the end of a format spec (level > 0)
            field(out, level);
        }
    }

private:
    [[noreturn]] void fail(const std::string& message) const {
        // CPython 3.11 points just after the string for these.
        Loc l = b_.loc(part_.span);
        throw SyntaxErrorInfo("SyntaxError", message, l.end_line, l.end_col, l.end_col);
    }

    Constant* constant(std::string text) {
        auto* c = b_.node<Constant>(part_.span);
        c->value_kind = ConstKind::Str;
        c->text = std::move(text);
        return c;
    }

    std::string decode(const std::string& raw) const {
        try {
            return lex::decode_escapes(raw, part_.raw);
        } catch (const SyntaxErrorInfo& e) {
            Loc l = b_.loc(part_.span);
            throw SyntaxErrorInfo(e.type, e.message, l.line, l.col, -1);
        }
    }

    // Raw literal text up to the next field; "{{" and "}}" are undoubled at level 0.
    std::string scan_literal(int level) {
        std::string out;
        while (pos_ < body_.size()) {
            char c = body_[pos_];
            if (c == '\\' && !part_.raw && pos_ + 1 < body_.size()) {
                // Keep escapes for decode(); \N{...} holds braces that are not a field.
                if (body_[pos_ + 1] == 'N' && pos_ + 2 < body_.size() && body_[pos_ + 2] == '{') {
                    size_t close = body_.find('}', pos_);
                    if (close == std::string_view::npos) close = body_.size() - 1;
                    out.append(body_.substr(pos_, close + 1 - pos_));
                    pos_ = close + 1;
                    continue;
                }
                if (body_[pos_ + 1] != '{' && body_[pos_ + 1] != '}') {
                    out.append(body_.substr(pos_, 2));
                    pos_ += 2;
                    continue;
                }
            }
            if (c == '{' || c == '}') {
                if (level == 0 && pos_ + 1 < body_.size() && body_[pos_ + 1] == c) {
                    out += c;
                    pos_ += 2;
                    continue;
                }
                if (c == '}' && level == 0) fail("f-string: single '}' is not allowed");
                break;
            }
            out += c;
            ++pos_;
        }
        return out;
    }

    // The position in the file of body offset [off].
    lex::Pos file_pos(size_t off) const {
        lex::Pos p{line_, col_};
        for (size_t i = 0; i < off; ++i) {
            if (body_[i] == '\n') {
                ++p.line;
                p.col = 0;
            } else {
                ++p.col;
            }
        }
        return p;
    }

    // A field starting at the '{' at pos_.
    void field(ExprList& out, int level) {
        if (level >= 2) fail("f-string: expressions nested too deeply");
        size_t start = ++pos_;
        int depth = 0;
        char quote = 0;
        bool triple = false;
        char end_char = 0;
        for (; pos_ < body_.size(); ++pos_) {
            char c = body_[pos_];
            if (quote) {
                if (c == quote) {
                    if (!triple) {
                        quote = 0;
                    } else if (body_.substr(pos_, 3) == std::string(3, quote)) {
                        quote = 0;
                        pos_ += 2;
                    }
                }
                continue;
            }
            if (c == '\\') fail("f-string expression part cannot include a backslash");
            if (c == '\'' || c == '"') {
                quote = c;
                triple = body_.substr(pos_, 3) == std::string(3, c);
                if (triple) pos_ += 2;
                continue;
            }
            if (c == '#') fail("f-string expression part cannot include '#'");
            if (c == '[' || c == '(' || c == '{') {
                ++depth;
                continue;
            }
            if (c == ']' || c == ')' || (c == '}' && depth > 0)) {
                if (depth == 0) fail(std::string("f-string: unmatched '") + c + "'");
                --depth;
                continue;
            }
            if (depth > 0) continue;
            char next = pos_ + 1 < body_.size() ? body_[pos_ + 1] : 0;
            if (c == '=' && next == '=') {
                ++pos_;
                continue;
            }
            if ((c == '!' || c == '<' || c == '>') && next == '=') {
                ++pos_;
                continue;
            }
            if (c == '!' || c == ':' || c == '}' || c == '=') {
                end_char = c;
                break;
            }
        }
        if (quote) fail("f-string: unterminated string");
        if (!end_char) fail("f-string: expecting '}'");
        std::string_view expr_text = body_.substr(start, pos_ - start);
        if (expr_text.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos)
            fail("f-string: empty expression not allowed");

        Expr* value = parse_expr(std::string(expr_text), file_pos(start));

        auto* fv = b_.node<FormattedValue>(part_.span);
        fv->value = value;
        Constant* self_doc = nullptr;
        if (end_char == '=') {
            ++pos_;
            while (pos_ < body_.size() && (body_[pos_] == ' ' || body_[pos_] == '\t' ||
                                           body_[pos_] == '\n' || body_[pos_] == '\f'))
                ++pos_;
            self_doc = constant(std::string(body_.substr(start, pos_ - start)));
            if (pos_ >= body_.size()) fail("f-string: expecting '}'");
        }
        if (body_[pos_] == '!') {
            ++pos_;
            if (pos_ >= body_.size()) fail("f-string: expecting '}'");
            char conv = body_[pos_];
            if (conv != 's' && conv != 'r' && conv != 'a')
                fail("f-string: invalid conversion character: expected 's', 'r', or 'a'");
            fv->conversion = conv;
            ++pos_;
            if (pos_ >= body_.size()) fail("f-string: expecting '}'");
        }
        if (body_[pos_] == ':') {
            ++pos_;
            auto* spec = b_.node<JoinedStr>(part_.span);
            ExprList parts;
            run(parts, level + 1);
            for (auto* e : parts) {
                if (e->kind == ExprKind::Constant && !spec->values.empty() &&
                    spec->values.back()->kind == ExprKind::Constant) {
                    static_cast<Constant*>(spec->values.back())->text +=
                        static_cast<Constant*>(e)->text;
                    continue;
                }
                spec->values.push_back(e);
            }
            fv->format_spec = spec;
            if (pos_ >= body_.size()) fail("f-string: expecting '}'");
        }
        if (body_[pos_] != '}') fail("f-string: expecting '}'");
        ++pos_;
        if (self_doc) {
            // `{x=}` shows "x=" then the repr, unless a conversion or a spec was given.
            if (fv->conversion == -1 && !fv->format_spec) fv->conversion = 'r';
            out.push_back(self_doc);
        }
        out.push_back(fv);
    }

    Expr* parse_expr(const std::string& text, lex::Pos at) {
        Source sub("<fstring>", "(" + text + ")");
        // The '(' sits one column before the expression.
        Driver driver(sub, Mode::Eval, arena_, at.line - 1, at.col - 1, true);
        StmtList body = driver.run();
        return static_cast<ExprStmt*>(body[0])->value;
    }

    Builder& b_;
    const StrPart& part_;
    std::string_view body_;
    int line_, col_;
    Arena& arena_;
    size_t pos_ = 0;
};

}  // namespace

void split_fstring(Builder& b, const Source& source, const StrPart& part, ExprList& out,
                   int line_offset, int col_offset, Arena& arena) {
    (void)source;
    FStringSplitter splitter(b, part, line_offset, col_offset, arena);
    ExprList parts;
    splitter.run(parts, 0);
    out.insert(out.end(), parts.begin(), parts.end());
}

}  // namespace apy::parse
