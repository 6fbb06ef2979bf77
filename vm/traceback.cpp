#include "vm/traceback.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "lexer/source.h"
#include "parser/driver.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "runtime/unicode.h"
#include "vm/code.h"
#include "vm/import.h"

namespace apy::vm {

using namespace rt;

namespace {

// Line [line] of a loaded module without its newline; "" when unknown. Like CPython's
// linecache, nothing for "<string>" and "<stdin>".
std::string raw_source_line(const std::string& path, int line) {
    const std::string* text = loaded_source(path);
    if (!text || line < 1 || path.empty() || path[0] == '<') return "";
    size_t start = 0;
    for (int i = 1; i < line; ++i) {
        start = text->find('\n', start);
        if (start == std::string::npos) return "";
        ++start;
    }
    size_t end = text->find('\n', start);
    std::string l = text->substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    return l;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// CPython's _PyPegen_byte_offset_to_character_offset: code points in the first [offset]
// bytes of UTF-8 [text].
int char_offset(std::string_view text, int offset) {
    offset = std::min(offset, static_cast<int>(text.size()));
    int chars = 0;
    for (int i = 0; i < offset; ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++chars;
    return chars;
}

// Whether a code point takes two columns (East Asian Width W or F).
bool is_wide(uint32_t cp) {
    struct Range {
        uint32_t first, last;
    };
    static const Range kWide[] = {
#include "vm/wide_chars.inc"
    };
    auto it = std::upper_bound(std::begin(kWide), std::end(kWide), cp,
                               [](uint32_t c, const Range& r) { return c < r.first; });
    return it != std::begin(kWide) && cp <= std::prev(it)->last;
}

struct Anchors {
    int left = -1, right = -1;  // the secondary range (left, right], in characters
    char primary = '^', secondary = '^';
};

// CPython 3.11's extract_anchors_from_line: a binary operation or a subscript, alone in
// [segment], gets its operator or brackets marked apart from its operands.
Anchors segment_anchors(const std::string& segment) {
    Anchors a;
    std::unique_ptr<ast::Module> tree;
    try {
        tree = parse::parse(Source("<segment>", segment + "\n"), parse::Mode::File);
    } catch (const SyntaxErrorInfo&) {
        return a;
    }
    if (tree->body.size() != 1 || tree->body[0]->kind != ast::StmtKind::ExprStmt) return a;
    const ast::Expr* e = static_cast<const ast::ExprStmt*>(tree->body[0])->value;
    int length = static_cast<int>(segment.size());
    auto at = [&](int i) { return i < length ? segment[i] : '\0'; };
    if (e->kind == ast::ExprKind::BinOp) {
        auto* b = static_cast<const ast::BinOp*>(e);
        int right_col = b->right->loc.col;
        for (int i = b->left->loc.end_col; i < right_col; ++i) {
            if (is_blank(at(i))) continue;
            a.left = i;
            a.right = i + 1;
            if (i + 1 < right_col && !is_blank(at(i + 1))) ++a.right;  // a two-character operator
            if (i + 1 < right_col && at(i) == ')') continue;  // the left operand's parenthesis
            a.primary = '~';
            break;
        }
    } else if (e->kind == ast::ExprKind::Subscript) {
        auto* s = static_cast<const ast::Subscript*>(e);
        a.left = s->value->loc.end_col;
        a.right = s->slice->loc.end_col + 1;
        while (a.left < length && at(a.left) != '[') ++a.left;
        while (a.right < length && at(a.right) != ']') ++a.right;
        if (a.right < length) ++a.right;
        a.primary = '~';
    } else {
        return a;
    }
    a.left = char_offset(segment, a.left);
    a.right = char_offset(segment, a.right);
    return a;
}

// The line under a traceback's source line that marks the failing expression (CPython
// 3.11's tb_displayline); "" when the position is unknown or the mark would span the line.
std::string caret_line(const std::string& line, int line_number, Position pos) {
    if (pos.col < 0 || pos.end_col < 0 || pos.end_line < line_number) return "";
    int indent = 0;
    while (indent < static_cast<int>(line.size()) && is_blank(line[indent])) ++indent;
    int start = char_offset(line, pos.col);
    int end = char_offset(line, pos.end_col);
    int length = char_offset(line, static_cast<int>(line.size()));
    Anchors anchors;
    if (pos.end_line == line_number) {
        size_t from = std::min(static_cast<size_t>(pos.col), line.size());
        size_t to = std::max(from, std::min(static_cast<size_t>(pos.end_col), line.size()));
        anchors = segment_anchors(line.substr(from, to - from));
        if (anchors.left >= 0) {
            anchors.left += start;
            anchors.right += start;
        }
    } else {
        // Spanning lines: up to the end of this one.
        int last = static_cast<int>(line.size());
        while (last > 0 && (is_blank(line[last - 1]) || line[last - 1] == '\r')) --last;
        end = char_offset(line, last);
    }
    bool secondary = anchors.left >= 0;
    if (end - start == length - indent && !secondary) return "";
    // Columns before each character (wide ones take two), as CPython's _display_width.
    std::vector<int> column{0};
    for (size_t pos = 0; pos < line.size();)
        column.push_back(column.back() + (is_wide(rt::utf8_decode(line, pos)) ? 2 : 1));
    auto col = [&](int chars) { return column[std::clamp(chars, 0, length)]; };
    auto repeat = [](char c, int n) { return std::string(std::max(n, 0), c); };
    // The 4 spaces before source lines, then up to the start past the indentation.
    std::string out = repeat(' ', 4 + col(start) - indent);
    if (secondary) {
        out += repeat(anchors.primary, col(anchors.left) - col(start));
        out += repeat(anchors.secondary, col(anchors.right) - col(anchors.left));
        out += repeat(anchors.primary, col(end) - col(anchors.right));
    } else {
        out += repeat('^', col(end) - col(start));
    }
    return out + "\n";
}

}  // namespace

std::string source_line(const std::string& path, int line) {
    std::string l = raw_source_line(path, line);
    size_t first = l.find_first_not_of(" \t\f\r");
    size_t last = l.find_last_not_of(" \t\f\r\n");
    if (first == std::string::npos) return "";
    return l.substr(first, last - first + 1);
}

namespace {

// ---- "Did you mean" suggestions (CPython 3.11's Python/suggestions.c)

constexpr size_t kMoveCost = 2;
constexpr size_t kCaseCost = 1;
constexpr size_t kMaxStringSize = 40;
constexpr size_t kMaxCandidates = 750;

size_t substitution_cost(char a, char b) {
    if ((a & 31) != (b & 31)) return kMoveCost;
    if (a == b) return 0;
    if ('A' <= a && a <= 'Z') a += 'a' - 'A';
    if ('A' <= b && b <= 'Z') b += 'a' - 'A';
    return a == b ? kCaseCost : kMoveCost;
}

// The edit distance of the UTF-8 bytes of [a] and [b] (a case flip costs less); anything
// over [max_cost] may come back as max_cost + 1.
size_t levenshtein(std::string_view a, std::string_view b, size_t max_cost) {
    while (!a.empty() && !b.empty() && a.front() == b.front()) {
        a.remove_prefix(1);
        b.remove_prefix(1);
    }
    while (!a.empty() && !b.empty() && a.back() == b.back()) {
        a.remove_suffix(1);
        b.remove_suffix(1);
    }
    if (a.empty() || b.empty()) return (a.size() + b.size()) * kMoveCost;
    if (a.size() > kMaxStringSize || b.size() > kMaxStringSize) return max_cost + 1;
    if (b.size() < a.size()) std::swap(a, b);
    if ((b.size() - a.size()) * kMoveCost > max_cost) return max_cost + 1;
    // One row of the matrix, updated in place.
    std::vector<size_t> row(a.size());
    for (size_t i = 0; i < a.size(); ++i) row[i] = (i + 1) * kMoveCost;
    size_t result = 0;
    for (size_t bi = 0; bi < b.size(); ++bi) {
        size_t distance = result = bi * kMoveCost;
        size_t minimum = SIZE_MAX;
        for (size_t ai = 0; ai < a.size(); ++ai) {
            size_t substitute = distance + substitution_cost(b[bi], a[ai]);
            distance = row[ai];
            result = std::min(std::min(result, distance) + kMoveCost, substitute);
            row[ai] = result;
            minimum = std::min(minimum, result);
        }
        if (minimum > max_cost) return max_cost + 1;
    }
    return result;
}

// The candidate closest to [name] (the first of equals), or null.
const Str* closest(const std::vector<const Str*>& candidates, const Str* name) {
    if (candidates.size() >= kMaxCandidates) return nullptr;
    const Str* best = nullptr;
    size_t best_distance = SIZE_MAX;
    for (const Str* item : candidates) {
        if (item->view() == name->view()) continue;
        // No more than a third of the characters involved should need to change.
        size_t max_distance = (name->size + item->size + 3) * kMoveCost / 6;
        max_distance = std::min(max_distance, best_distance - 1);
        size_t distance = levenshtein(name->view(), item->view(), max_distance);
        if (distance > max_distance) continue;
        if (!best || distance < best_distance) {
            best = item;
            best_distance = distance;
        }
    }
    return best;
}

void add_str_keys(const Dict* d, std::vector<const Str*>& out) {
    if (!d) return;
    for (const DictEntry& entry : d->entries)
        if (!entry.key.is_null() && is_str(entry.key)) out.push_back(as<Str>(entry.key));
}

// Attributes builtin types compute in their getattr slot (CPython's getset descriptors),
// which their dicts do not list.
void add_computed_attributes(const Type* type, std::vector<const Str*>& out) {
    auto add = [&](std::initializer_list<const char*> names) {
        for (const char* n : names) out.push_back(intern(n));
    };
    switch (type->layout) {
    case Layout::Int: add({"real", "imag", "numerator", "denominator"}); break;
    case Layout::Float: add({"real", "imag"}); break;
    case Layout::Range:
    case Layout::Slice: add({"start", "stop", "step"}); break;
    case Layout::Function:
        add({"__name__", "__qualname__", "__doc__", "__module__", "__defaults__",
             "__kwdefaults__", "__code__", "__globals__", "__dict__", "__annotations__"});
        break;
    case Layout::Exception:
        add({"args", "__cause__", "__context__", "__suppress_context__", "__traceback__"});
        break;
    default: break;
    }
}

// What dir(obj) lists, sorted: its own dict, then its class's and their bases' (a class:
// its own and its bases'; a module: its dict); false when a __dir__ method fails.
bool attribute_names(Value obj, std::vector<const Str*>& out) {
    static Str* const kDir = intern("__dir__");
    Type* type = type_of(obj);
    Value dir_method = lookup_in_type(type, kDir);
    if (is_layout(dir_method, Layout::Function)) {
        Value listed = call1(dir_method, obj);
        std::vector<Value> items;
        VectorRoot keep(items);
        if (listed.is_null() || !collect_iterable(listed, items)) return false;
        for (Value v : items)
            if (is_str(v)) out.push_back(as<Str>(v));
    } else if (is_layout(obj, Layout::Module)) {
        add_str_keys(as<Module>(obj)->dict, out);
    } else {
        if (Dict** own = instance_dict_slot(obj)) add_str_keys(*own, out);
        const std::vector<Type*>& mro = is_layout(obj, Layout::Type) ? as<Type>(obj)->mro
                                                                     : type->mro;
        for (const Type* t : mro) add_str_keys(t->dict, out);
        if (!is_layout(obj, Layout::Type)) add_computed_attributes(type, out);
    }
    std::sort(out.begin(), out.end(),
              [](const Str* a, const Str* b) { return a->view() < b->view(); });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const Str* a, const Str* b) { return a->view() == b->view(); }),
              out.end());
    return true;
}

// CPython's _Py_Offer_Suggestions: for a NameError, the names of the innermost frame
// (locals, globals, builtins, in turn); for an AttributeError, dir() of the object.
const Str* suggestion_for(Value e) {
    static Str* const kName = intern("name");
    static Str* const kObj = intern("obj");
    auto* ex = as<ExceptionObject>(e);
    Value name = ex->attrs ? dict_get_str(ex->attrs, kName) : Value::null();
    if (name.is_null() || type_of(name) != types.str_) return nullptr;
    const Str* wanted = as<Str>(name);
    std::vector<const Str*> candidates;
    if (type_of(e) == exc.AttributeError) {
        Value obj = dict_get_str(ex->attrs, kObj);
        if (obj.is_null() || !attribute_names(obj, candidates)) {
            clear_pending();
            return nullptr;
        }
        return closest(candidates, wanted);
    }
    if (type_of(e) != exc.NameError || ex->traceback.empty()) return nullptr;
    const auto& innermost = ex->traceback.front();
    candidates.assign(innermost.code->varnames.begin(), innermost.code->varnames.end());
    if (const Str* found = closest(candidates, wanted)) return found;
    candidates.clear();
    add_str_keys(innermost.globals, candidates);
    if (const Str* found = closest(candidates, wanted)) return found;
    candidates.clear();
    add_str_keys(builtins_dict(), candidates);
    return closest(candidates, wanted);
}

std::string exception_line(Value e, bool suggest) {
    Type* type = type_of(e);
    std::string name = type->module == "builtins" || type->module == "__main__"
                           ? type->name
                           : type->module + "." + type->name;
    Value text = to_str(e);
    if (text.is_null()) {
        clear_pending();
        return name + ": <exception str() failed>\n";
    }
    std::string line = name;
    std::string_view message = str_view(text);
    if (!message.empty()) line += ": " + std::string(message);
    if (suggest)
        if (const Str* suggestion = suggestion_for(e))
            line += ". Did you mean: '" + std::string(suggestion->view()) + "'?";
    return line + "\n";
}

// Where an exception is printed inside exception groups (traceback.py's _ExceptionPrintContext).
struct PrintContext {
    std::unordered_set<Object*> seen;
    int group_depth = 0;
    bool need_close = false;
    bool suggest = false;  // "Did you mean" for names, as the interpreter's own report does

    std::string indent() const { return std::string(2 * group_depth, ' '); }

    // Appends [text] with every line prefixed by the group margin.
    void emit(std::string& out, const std::string& text, char margin = '|') const {
        std::string prefix = indent();
        if (group_depth) prefix += std::string(1, margin) + " ";
        size_t start = 0;
        while (start < text.size()) {
            size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size() - 1;
            out += prefix + text.substr(start, end - start + 1);
            start = end + 1;
        }
    }
};

constexpr int kMaxGroupWidth = 15;
constexpr int kMaxGroupDepth = 10;

// The exception's __notes__ below its last line, as CPython's print_exception_notes.
void format_notes(Value e, std::string& out, const PrintContext& ctx) {
    static Str* const kNotes = intern("__notes__");
    auto* ex = as<ExceptionObject>(e);
    Value notes = ex->attrs ? dict_get_str(ex->attrs, kNotes) : Value::null();
    if (notes.is_null()) return;
    if (!is_layout(notes, Layout::List) && !is_layout(notes, Layout::Tuple)) {
        Value text = repr(notes);
        if (text.is_null()) clear_pending();
        ctx.emit(out, text.is_null() ? "<__notes__ repr() failed>" : std::string(str_view(text)));
        out += "\n";
        return;
    }
    std::vector<Value> items;
    VectorRoot keep(items);
    if (!collect_iterable(notes, items)) clear_pending();
    for (Value note : items) {
        Value text = to_str(note);
        if (text.is_null()) clear_pending();
        ctx.emit(out, text.is_null() ? "<note str() failed>" : std::string(str_view(text)));
        out += "\n";
    }
}

// CPython's traceback.c: at most kTracebackLimit entries, the innermost (sys.tracebacklimit's
// default), and a run of more than kRecursiveCutoff entries for one line of one function
// printed as its first kRecursiveCutoff and "[Previous line repeated N more times]".
constexpr size_t kTracebackLimit = 1000;
constexpr int kRecursiveCutoff = 3;

void repeated_line(std::string& out, int count) {
    if (count <= kRecursiveCutoff) return;
    count -= kRecursiveCutoff;
    out += "  [Previous line repeated " + std::to_string(count) + " more time" +
           (count > 1 ? "s" : "") + "]\n";
}

std::string stack_text(ExceptionObject* ex) {
    std::string out;
    const ExceptionObject::TraceEntry* last = nullptr;
    int count = 0;
    size_t shown = std::min(ex->traceback.size(), kTracebackLimit);
    for (auto it = ex->traceback.rbegin() + (ex->traceback.size() - shown);
         it != ex->traceback.rend(); ++it) {
        if (!last || it->line != last->line || it->code->name->view() != last->code->name->view() ||
            it->code->filename->view() != last->code->filename->view()) {
            repeated_line(out, count);
            last = &*it;
            count = 0;
        }
        if (++count > kRecursiveCutoff) continue;
        std::string path(it->code->filename->view());
        out += "  File \"" + path + "\", line " + std::to_string(it->line) + ", in " +
               std::string(it->code->name->view()) + "\n";
        std::string line = raw_source_line(path, it->line);
        size_t first = line.find_first_not_of(" \t\f");
        if (first == std::string::npos) continue;
        out += "    " + line.substr(first) + "\n";
        out += caret_line(line, it->line, position_of(it->code, it->index));
    }
    repeated_line(out, count);
    return out;
}

void format_one(Value e, std::string& out, PrintContext& ctx);

// The exception itself, without its chain: a traceback and the last line, or a group's boxes.
void format_self(Value e, std::string& out, PrintContext& ctx) {
    auto* ex = as<ExceptionObject>(e);
    if (!isinstance(e, exc.BaseExceptionGroup)) {
        if (!ex->traceback.empty()) {
            ctx.emit(out, "Traceback (most recent call last):\n");
            ctx.emit(out, stack_text(ex));
        }
        ctx.emit(out, exception_line(e, ctx.suggest));
        format_notes(e, out, ctx);
        return;
    }
    if (ctx.group_depth > kMaxGroupDepth) {
        ctx.emit(out, "... (max_group_depth is " + std::to_string(kMaxGroupDepth) + ")\n");
        return;
    }
    bool toplevel = ctx.group_depth == 0;
    if (toplevel) ctx.group_depth += 1;
    if (!ex->traceback.empty()) {
        ctx.emit(out, "Exception Group Traceback (most recent call last):\n", toplevel ? '+' : '|');
        ctx.emit(out, stack_text(ex));
    }
    ctx.emit(out, exception_line(e, ctx.suggest));
    format_notes(e, out, ctx);
    static Str* const kExceptions = intern("exceptions");
    Value list = ex->attrs ? dict_get_str(ex->attrs, kExceptions) : Value::null();
    Tuple* excs = is_layout(list, Layout::Tuple) ? as<Tuple>(list) : make_tuple(0);
    int64_t count = excs->size;
    int64_t n = count <= kMaxGroupWidth ? count : kMaxGroupWidth + 1;
    ctx.need_close = false;
    for (int64_t i = 0; i < n; ++i) {
        bool last = i == n - 1;
        if (last) ctx.need_close = true;
        bool truncated = i >= kMaxGroupWidth;
        std::string title = truncated ? "..." : std::to_string(i + 1);
        out += ctx.indent() + (i == 0 ? "+-" : "  ") + "+---------------- " + title +
               " ----------------\n";
        ctx.group_depth += 1;
        if (!truncated) {
            format_one(excs->items[i], out, ctx);
        } else {
            int64_t remaining = count - kMaxGroupWidth;
            ctx.emit(out, "and " + std::to_string(remaining) + " more exception" +
                              (remaining > 1 ? "s" : "") + "\n");
        }
        if (last && ctx.need_close) {
            out += ctx.indent() + "+------------------------------------\n";
            ctx.need_close = false;
        }
        ctx.group_depth -= 1;
    }
    if (toplevel) ctx.group_depth = 0;
}

// The chain of causes and contexts, oldest first, each followed by the line that leads to the
// next one. A loop, not a recursion: chains may be as long as a program makes them.
void format_one(Value e, std::string& out, PrintContext& ctx) {
    struct Link {
        Value exception;
        const char* lead_in; // printed before it, null for the oldest
    };
    std::vector<Link> chain;
    for (;;) {
        ctx.seen.insert(e.as_object());
        auto* ex = as<ExceptionObject>(e);
        if (ex->cause.is_object() && !ctx.seen.count(ex->cause.as_object())) {
            chain.push_back({e, "\nThe above exception was the direct cause of the following "
                                "exception:\n\n"});
            e = ex->cause;
        } else if (!ex->suppress_context && ex->context.is_object() &&
                   !ctx.seen.count(ex->context.as_object())) {
            chain.push_back({e, "\nDuring handling of the above exception, another exception "
                                "occurred:\n\n"});
            e = ex->context;
        } else {
            chain.push_back({e, nullptr});
            break;
        }
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (it->lead_in) ctx.emit(out, it->lead_in);
        format_self(it->exception, out, ctx);
    }
}

}  // namespace

std::string format_exception(Value exception, bool suggest) {
    std::string out;
    PrintContext ctx;
    ctx.suggest = suggest;
    if (!isinstance(exception, exc.BaseException)) return "<not an exception>\n";
    format_one(exception, out, ctx);
    return out;
}

}  // namespace apy::vm
