// Loads the library modules written in apy (see library.h) and adds the loop methods
// they call: call_exception_handler and default_exception_handler (base_events.py).
#include "runtime/asyncio/library.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "runtime/asyncio/asyncio.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "vm/import.h"
#include "vm/traceback.h"

namespace apy::aio {

using namespace rt;

namespace {

// The default handler's text: the message, the other keys sorted with their reprs, then
// the exception's traceback (logger.error(..., exc_info=exception)).
bool print_context(Dict* context) {
    static Str* const kMessage = intern("message");
    static Str* const kException = intern("exception");
    Value message = dict_get_str(context, kMessage);
    std::string text = message.is_null() || !is_str(message) || str_view(message).empty()
                           ? "Unhandled exception in event loop"
                           : std::string(str_view(message));
    std::vector<std::pair<std::string, Value>> others;
    for (const DictEntry& e : context->entries) {
        if (e.key.is_null() || !is_str(e.key)) continue;
        std::string key(str_view(e.key));
        if (key == "message" || key == "exception") continue;
        others.emplace_back(key, e.value);
    }
    std::sort(others.begin(), others.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [key, value] : others) {
        Value r = repr(value);
        if (r.is_null()) return false;
        text += "\n" + key + ": " + std::string(str_view(r));
    }
    text += "\n";
    Value exception = dict_get_str(context, kException);
    if (!exception.is_null() && isinstance(exception, exc.BaseException))
        text += vm::format_exception(exception);
    std::fflush(stdout);
    std::fwrite(text.data(), 1, text.size(), stderr);
    return true;
}

Value loop_default_exception_handler(Value* args, int nargs, Tuple*) {
    if (nargs != 2 || !is_layout(args[1], Layout::Dict))
        return raise(exc.TypeError, "default_exception_handler() takes a context dict");
    return print_context(as<Dict>(args[1])) ? Value::none() : Value::null();
}

Value loop_call_exception_handler(Value* args, int nargs, Tuple*) {
    if (nargs != 2 || !is_layout(args[1], Layout::Dict))
        return raise(exc.TypeError, "call_exception_handler() takes a context dict");
    EventLoop* loop = as<EventLoop>(args[0]);
    if (loop->exception_handler.is_none()) {
        if (!print_context(as<Dict>(args[1]))) clear_pending();
        return Value::none();
    }
    Value call_args[2] = {args[0], args[1]};
    if (call(loop->exception_handler, call_args, 2).is_null()) {
        if (pending_is(exc.KeyboardInterrupt) || pending_is(exc.SystemExit)) return Value::null();
        Value e = take_pending();
        std::string text = "Unhandled error in exception handler\n" + vm::format_exception(e);
        std::fflush(stdout);
        std::fwrite(text.data(), 1, text.size(), stderr);
    }
    return Value::none();
}

Value loop_get_debug(Value*, int, Tuple*) { return Value::boolean(false); }
Value loop_set_debug(Value*, int, Tuple*) { return Value::none(); }

// asyncio._get_running_loop(): the running loop or None.
Value asyncio_private_running_loop(Value*, int, Tuple*) {
    EventLoop* loop = running_loop();
    return loop ? Value::object(loop) : Value::none();
}

struct LibraryModule {
    const char* name;  // asyncio.<name>, as in CPython (wait.cpp holds part of asyncio.tasks)
    const char* const* source;
};

// In dependency order (wait's as_completed uses Queue, native: module.cpp adds it first).
const LibraryModule kModules[] = {
    {"locks", &kLocksSource},           {"timeouts", &kTimeoutsSource}, {"tasks", &kWaitSource},
    {"taskgroups", &kTaskGroupsSource}, {"runners", &kRunnersSource},
};

[[noreturn]] void library_failed(const std::string& name) {
    Value e = take_pending();
    std::string text = "apy: internal error loading asyncio." + name + "\n" +
                       (e.is_null() ? std::string() : vm::format_exception(e));
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::abort();
}

}  // namespace

void load_library(Module* asyncio) {
    static const MethodDef loop_methods[] = {
        {"call_exception_handler", loop_call_exception_handler},
        {"default_exception_handler", loop_default_exception_handler},
        {"get_debug", loop_get_debug},
        {"set_debug", loop_set_debug},
        {nullptr, nullptr},
    };
    if (dict_get_str(types.loop->dict, intern("call_exception_handler")).is_null())
        add_methods(types.loop, loop_methods);
    dict_set_str(asyncio->dict, "_get_running_loop",
                 Value::object(make_builtin("_get_running_loop", asyncio_private_running_loop)));
    static Str* const kAll = intern("__all__");
    for (const LibraryModule& lib : kModules) {
        std::string name = std::string("asyncio.") + lib.name;
        Value m = vm::exec_module_source(name, "<apy>/asyncio/" + std::string(lib.name) + ".py",
                                         *lib.source);
        if (m.is_null()) library_failed(lib.name);
        Root keep(m);
        Dict* dict = as<Module>(m)->dict;
        Value all = dict_get_str(dict, kAll);
        if (!is_layout(all, Layout::Tuple)) library_failed(lib.name);
        Tuple* names = as<Tuple>(all);
        for (int64_t i = 0; i < names->size; ++i) {
            Value v = dict_get_str(dict, as<Str>(names->items[i]));
            if (v.is_null()) library_failed(lib.name);
            dict_set(asyncio->dict, names->items[i], v);
        }
        dict_set_str(asyncio->dict, lib.name, m);
    }
}

}  // namespace apy::aio
