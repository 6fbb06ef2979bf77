#include "vm/traceback.h"

#include <unordered_set>

#include "runtime/errors.h"
#include "runtime/ops.h"
#include "vm/code.h"
#include "vm/import.h"

namespace apy::vm {

using namespace rt;

std::string source_line(const std::string& path, int line) {
    const std::string* text = loaded_source(path);
    if (!text || line < 1) return "";
    size_t start = 0;
    for (int i = 1; i < line; ++i) {
        start = text->find('\n', start);
        if (start == std::string::npos) return "";
        ++start;
    }
    size_t end = text->find('\n', start);
    std::string l = text->substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t first = l.find_first_not_of(" \t\f\r");
    size_t last = l.find_last_not_of(" \t\f\r\n");
    if (first == std::string::npos) return "";
    return l.substr(first, last - first + 1);
}

namespace {

std::string exception_line(Value e) {
    Type* type = type_of(e);
    std::string name = type->module == "builtins" || type->module == "__main__"
                           ? type->name
                           : type->module + "." + type->name;
    Value text = to_str(e);
    if (text.is_null()) {
        clear_pending();
        return name + ": <exception str() failed>\n";
    }
    std::string_view message = str_view(text);
    if (message.empty()) return name + "\n";
    return name + ": " + std::string(message) + "\n";
}

// Where an exception is printed inside exception groups (traceback.py's _ExceptionPrintContext).
struct PrintContext {
    std::unordered_set<Object*> seen;
    int group_depth = 0;
    bool need_close = false;

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

std::string stack_text(ExceptionObject* ex) {
    std::string out;
    for (auto it = ex->traceback.rbegin(); it != ex->traceback.rend(); ++it) {
        std::string path(it->code->filename->view());
        out += "  File \"" + path + "\", line " + std::to_string(it->line) + ", in " +
               std::string(it->code->name->view()) + "\n";
        std::string line = source_line(path, it->line);
        if (!line.empty()) out += "    " + line + "\n";
    }
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
        ctx.emit(out, exception_line(e));
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
    ctx.emit(out, exception_line(e));
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

void format_one(Value e, std::string& out, PrintContext& ctx) {
    ctx.seen.insert(e.as_object());
    auto* ex = as<ExceptionObject>(e);
    if (ex->cause.is_object() && !ctx.seen.count(ex->cause.as_object())) {
        format_one(ex->cause, out, ctx);
        ctx.emit(out, "\nThe above exception was the direct cause of the following exception:\n\n");
    } else if (!ex->suppress_context && ex->context.is_object() &&
               !ctx.seen.count(ex->context.as_object())) {
        format_one(ex->context, out, ctx);
        ctx.emit(out, "\nDuring handling of the above exception, another exception occurred:\n\n");
    }
    format_self(e, out, ctx);
}

}  // namespace

std::string format_exception(Value exception) {
    std::string out;
    PrintContext ctx;
    if (!isinstance(exception, exc.BaseException)) return "<not an exception>\n";
    format_one(exception, out, ctx);
    return out;
}

}  // namespace apy::vm
