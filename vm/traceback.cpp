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

void format_one(Value e, std::string& out, std::unordered_set<Object*>& seen) {
    seen.insert(e.as_object());
    auto* ex = as<ExceptionObject>(e);
    if (ex->cause.is_object() && !seen.count(ex->cause.as_object())) {
        format_one(ex->cause, out, seen);
        out += "\nThe above exception was the direct cause of the following exception:\n\n";
    } else if (!ex->suppress_context && ex->context.is_object() &&
               !seen.count(ex->context.as_object())) {
        format_one(ex->context, out, seen);
        out += "\nDuring handling of the above exception, another exception occurred:\n\n";
    }
    if (!ex->traceback.empty()) {
        out += "Traceback (most recent call last):\n";
        for (auto it = ex->traceback.rbegin(); it != ex->traceback.rend(); ++it) {
            std::string path(it->code->filename->view());
            out += "  File \"" + path + "\", line " + std::to_string(it->line) + ", in " +
                   std::string(it->code->name->view()) + "\n";
            std::string line = source_line(path, it->line);
            if (!line.empty()) out += "    " + line + "\n";
        }
    }
    out += exception_line(e);
}

}  // namespace

std::string format_exception(Value exception) {
    std::string out;
    std::unordered_set<Object*> seen;
    if (!isinstance(exception, exc.BaseException)) return "<not an exception>\n";
    format_one(exception, out, seen);
    return out;
}

}  // namespace apy::vm
