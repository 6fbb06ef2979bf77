// The pending and handled exceptions, raising, and the native recursion guard.
#include "runtime/errors.h"

#include "runtime/ops.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <unistd.h>

namespace apy::rt {

ExceptionTypes exc;

namespace {

using detail::g_handled;
using detail::g_pending;
int g_native_depth = 0;
// Native recursion is bounded separately from apy frames: each level costs C++ stack.
constexpr int kMaxNativeDepth = 2500;

}  // namespace

int recursion_limit = 1000;

void mark_error_roots(Tracer& tracer) {
    tracer.mark(g_pending);
    tracer.mark(g_handled);
}

bool pending_is(Type* type) { return has_pending() && isinstance(g_pending, type); }

Value make_exception(Type* type, Tuple* args) {
    auto* e = heap().make<ExceptionObject>(type);
    e->args = args ? args : make_tuple(0);
    return Value::object(e);
}

Value make_exception(Type* type, std::string_view message) {
    Value text = str_value(message);
    return make_exception(type, make_tuple(&text, 1));
}

Value raise_value(Value exception) {
    if (exception.is_object() && exception.as_object()->type->layout == Layout::Type) {
        Value made = call0(exception);
        if (made.is_null()) return made;
        exception = made;
    }
    if (!isinstance(exception, exc.BaseException))
        return raise(exc.TypeError, "exceptions must derive from BaseException");
    // Chain the exception being handled as __context__, as CPython does implicitly.
    if (!g_handled.is_null() && !g_handled.is(exception)) {
        auto* e = as<ExceptionObject>(exception);
        if (e->context.is_none()) {
            // Avoid making a cycle through the context chain.
            Value link = g_handled;
            bool cycle = false;
            while (link.is_object() && isinstance(link, exc.BaseException)) {
                if (link.is(exception)) {
                    cycle = true;
                    break;
                }
                link = as<ExceptionObject>(link)->context;
            }
            if (!cycle) e->context = g_handled;
        }
    }
    g_pending = exception;
    return Value::null();
}

Value raise(Type* type, std::string message) {
    return raise_value(make_exception(type, message));
}

Value raise_format(Type* type, const char* format, ...) {
    char buffer[1024];
    va_list list;
    va_start(list, format);
    std::vsnprintf(buffer, sizeof buffer, format, list);
    va_end(list);
    return raise(type, buffer);
}

Value raise_with_arg(Type* type, Value arg) {
    return raise_value(make_exception(type, make_tuple(&arg, 1)));
}

namespace {
const char* g_stack_base = nullptr;
size_t g_stack_size = 0;
// Left free for the native code between two checks (sanitizer builds use large frames).
constexpr size_t kStackMargin = size_t(4) << 20;
}  // namespace

void set_stack_base(const void* base, size_t size) {
    g_stack_base = static_cast<const char*>(base);
    g_stack_size = size;
}

bool stack_exhausted(const char* where) {
    char here;
    if (!g_stack_base) return false;
    size_t used = static_cast<size_t>(g_stack_base - &here);
    // A stack smaller than twice the margin (a hard limit under 8 MiB) keeps half of it free.
    if (used + std::min(kStackMargin, g_stack_size / 2) < g_stack_size) return false;
    raise(exc.RecursionError, std::string("maximum recursion depth exceeded") + where);
    return true;
}

bool enter_recursive_call(const char* where) {
    if (stack_exhausted(where)) return false;
    if (++g_native_depth > kMaxNativeDepth) {
        --g_native_depth;
        raise(exc.RecursionError, std::string("maximum recursion depth exceeded") + where);
        return false;
    }
    return true;
}

void leave_recursive_call() { --g_native_depth; }

bool check_allocation(int64_t count, int64_t size) {
    static const int64_t kMemory = [] {
        long pages = sysconf(_SC_PHYS_PAGES);
        long page_size = sysconf(_SC_PAGESIZE);
        return pages > 0 && page_size > 0 ? int64_t(pages) * page_size : int64_t(1) << 40;
    }();
    if (count <= 0 || size <= 0 || count <= kMemory / size) return true;
    raise(exc.MemoryError, "");
    return false;
}

const std::string& type_name(Value v) { return type_of(v)->name; }

}  // namespace apy::rt
