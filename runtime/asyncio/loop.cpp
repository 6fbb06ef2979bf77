// The event loop: a FIFO of ready handles and a heap of timers, run exactly as
// CPython's BaseEventLoop._run_once does it.
#include <algorithm>
#include <cstdio>

#include "runtime/args.h"
#include "runtime/asyncio/asyncio.h"
#include "runtime/clock.h"
#include "runtime/errors.h"
#include "runtime/interrupt.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "vm/code.h"
#include "vm/generator.h"
#include "vm/traceback.h"

namespace apy::rt {
Dict* sys_modules();
}

namespace apy::aio {

using namespace rt;

Types types;

namespace {

EventLoop* g_running = nullptr;
constexpr double kClockResolution = 1e-09;
constexpr double kMaximumSelectTimeout = 24 * 3600; // base_events.MAXIMUM_SELECT_TIMEOUT

bool timer_before(const TimerEntry& a, const TimerEntry& b) {
    return a.when < b.when || (a.when == b.when && a.sequence < b.sequence);
}
// std heap functions build a max-heap: order by "later first".
bool heap_order(const TimerEntry& a, const TimerEntry& b) { return timer_before(b, a); }

bool is_handle(const Object* target) { return target->type == types.timer_handle; }

bool timer_cancelled(const TimerEntry& t) {
    return is_handle(t.target) ? static_cast<Handle*>(t.target)->cancelled
                               : sleep_timer_cancelled(t.target);
}

Handle* make_handle(EventLoop* loop, Type* type, Value callable, Value args) {
    Handle* h = heap().make<Handle>(type);
    h->loop = loop;
    h->target = callable;
    h->arg = args;
    return h;
}

void schedule_timer(EventLoop* loop, double when, Object* target) {
    loop->timers.push_back({when, loop->next_sequence++, target});
    std::push_heap(loop->timers.begin(), loop->timers.end(), heap_order);
}

// format_helpers._format_callback_source: the callback's name, its arguments' reprs,
// and where a function is defined ("f(1, 'a') at FILE:LINE").
std::string callable_repr(Value callable, const std::vector<Value>& args = {}) {
    std::string text;
    bool ok = true;
    if (is_layout(callable, Layout::Function)) {
        text = std::string(as<Function>(callable)->qualname->view());
    } else {
        text = repr_string(callable, &ok);
        if (!ok) clear_pending();
    }
    text += "(";
    for (size_t i = 0; i < args.size(); ++i) {
        if (i) text += ", ";
        text += repr_string(args[i], &ok);
        if (!ok) clear_pending();
    }
    text += ")";
    if (is_layout(callable, Layout::Function)) {
        Function* fn = as<Function>(callable);
        text += " at " + std::string(fn->code->filename->view()) + ":" +
                std::to_string(fn->code->firstlineno);
    }
    return text;
}

std::vector<Value> call_args(Handle* h) {
    if (h->arg.is_null()) return {};
    Tuple* args = as<Tuple>(h->arg);
    return std::vector<Value>(args->items, args->items + args->size);
}

// Runs one ready entry; false when a KeyboardInterrupt or SystemExit must stop the loop.
bool run_entry(const ReadyEntry& e) {
    switch (e.kind()) {
    case HandleKind::TaskStep: task_step(as<Task>(e.target()), e.arg); break;
    case HandleKind::TaskWakeup: task_wakeup(as<Task>(e.target()), as<Future>(e.arg)); break;
    case HandleKind::SleepTimer: sleep_timer_fired(e.target().as_object()); break;
    case HandleKind::GatherChildDone:
        gather_child_done(as<GatheringFuture>(e.target()), as<Future>(e.arg));
        break;
    case HandleKind::StopLoop: as<EventLoop>(e.target())->stopping = true; break;
    case HandleKind::Call: {
        Handle* h = as<Handle>(e.target());
        Tuple* args = h->arg.is_null() ? nullptr : as<Tuple>(h->arg);
        Value r = call(h->target, args ? args->items : nullptr, args ? static_cast<int>(args->size) : 0);
        if (r.is_null()) {
            if (pending_is(exc.KeyboardInterrupt) || pending_is(exc.SystemExit)) return false;
            Value e = take_pending();
            Root keep(e);
            report_exception(h->loop, "Exception in callback " + callable_repr(h->target, call_args(h)),
                             e, Value::object(h));
        }
        break;
    }
    }
    // Native steps report their own errors; only loop-stopping ones stay pending.
    return !has_pending();
}

// [may_wait]: sleep until the first timer when nothing is ready (the REPL's idle rounds
// wait in poll() on the terminal instead).
// Takes the earliest timer out of the heap.
TimerEntry pop_timer(EventLoop* loop) {
    std::pop_heap(loop->timers.begin(), loop->timers.end(), heap_order);
    TimerEntry t = loop->timers.back();
    loop->timers.pop_back();
    if (is_handle(t.target)) static_cast<Handle*>(t.target)->scheduled = false;
    return t;
}

void run_once(EventLoop* loop, bool may_wait = true) {
    while (!loop->timers.empty() && timer_cancelled(loop->timers.front())) pop_timer(loop);
    if (may_wait && loop->ready.empty() && !loop->stopping && !loop->timers.empty()) {
        // min(max(0, when - now), MAXIMUM_SELECT_TIMEOUT): a NaN deadline waits 0, an
        // infinite one a day at a time.
        double timeout = std::min(std::max(0.0, loop->timers.front().when - monotonic_now()),
                                  kMaximumSelectTimeout);
        sleep_for(timeout);
        if (g_interrupt_requested) return;  // Ctrl-C: run_until_complete raises it
    }
    double end_time = monotonic_now() + kClockResolution;
    // "until when >= end_time", as CPython: a NaN deadline is due at once.
    while (!loop->timers.empty() && !(loop->timers.front().when >= end_time)) {
        TimerEntry t = pop_timer(loop);
        Value target = Value::object(t.target);
        loop->ready.push_back({is_handle(t.target) ? HandleKind::Call : HandleKind::SleepTimer,
                               target, Value::null()});
    }
    // Exactly the entries ready now; what they schedule waits for the next round.
    size_t ntodo = loop->ready.size();
    for (size_t i = 0; i < ntodo; ++i) {
        ReadyEntry e = loop->ready.front();
        loop->ready.pop_front();
        if (e.kind() == HandleKind::Call ? as<Handle>(e.target())->cancelled
                                         : e.kind() == HandleKind::SleepTimer &&
                                               sleep_timer_cancelled(e.target().as_object()))
            continue;
        {
            Root keep_target(e.target()); // in use while it runs
            Root keep_arg(e.arg);
            if (!run_entry(e)) return;
        }
        heap().maybe_collect();
        heap().run_finalizers();
    }
}

Value handle_cancel(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "cancel() takes no arguments");
    as<Handle>(args[0])->cancelled = true;
    return Value::none();
}

Value handle_cancelled(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "cancelled() takes no arguments");
    return Value::boolean(as<Handle>(args[0])->cancelled);
}

Value handle_when(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "when() takes no arguments");
    return Value::from_double(as<Handle>(args[0])->when);
}

Value handle_repr(Value self) {
    Handle* h = as<Handle>(self);
    std::string kind = h->scheduled || h->when != 0 ? "TimerHandle" : "Handle";
    std::string text = "<" + kind;
    if (h->cancelled) text += " cancelled";
    if (kind == "TimerHandle") {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, " when=%.17g", h->when);
        text += buffer;
    }
    text += " " + callable_repr(h->target, call_args(h));
    return str_value(text + ">");
}

void handle_trace(Object* self, Tracer& tracer) {
    auto* h = static_cast<Handle*>(self);
    tracer.mark(h->loop);
    tracer.mark(h->target);
    tracer.mark(h->arg);
}

void loop_trace(Object* self, Tracer& tracer) {
    auto* loop = static_cast<EventLoop*>(self);
    for (const ReadyEntry& e : loop->ready) {
        tracer.mark(e.target());
        tracer.mark(e.arg);
    }
    for (const TimerEntry& t : loop->timers) tracer.mark(t.target);
    tracer.mark(loop->exception_handler);
    tracer.mark_all(loop->tasks);
    tracer.mark_all(loop->failed_tasks);
    tracer.mark_all(loop->asyncgens);
    tracer.mark(loop->current_task);
}
void loop_destroy(Object* self) { static_cast<EventLoop*>(self)->~EventLoop(); }

void mark_running_loop(Tracer& tracer) { tracer.mark(g_running); }

// ---- the loop's methods as seen from apy code

EventLoop* self_loop(Value v) { return as<EventLoop>(v); }

bool to_seconds(Value v, double* out, const char* what) {
    if (v.is_double()) {
        *out = v.as_double();
        return true;
    }
    if (is_int(v)) return int_to_double(v, out);
    raise_format(exc.TypeError, "%s must be a number, not %s", what, type_name(v).c_str());
    return false;
}

Value schedule_call(EventLoop* loop, double delay, bool timer, Value* args, int nargs) {
    if (loop->closed) return raise(exc.RuntimeError, "Event loop is closed");
    if (type_of(args[0])->call == nullptr)
        return raise(exc.TypeError, "a callable object was expected by call_soon(), got " +
                                        type_name(args[0]));
    Value call_args = nargs > 1 ? Value::object(make_tuple(args + 1, nargs - 1)) : Value::null();
    if (!timer) return Value::object(call_soon_callable(loop, args[0], call_args));
    Handle* h = make_handle(loop, types.timer_handle, args[0], call_args);
    h->when = loop_time(loop) + delay;
    h->scheduled = true;
    schedule_timer(loop, h->when, h);
    return Value::object(h);
}

Value loop_call_soon(Value* args, int nargs, Tuple*) {
    if (nargs < 2) return raise(exc.TypeError, "call_soon() missing 1 required positional argument: 'callback'");
    return schedule_call(self_loop(args[0]), 0, false, args + 1, nargs - 1);
}

Value loop_call_later(Value* args, int nargs, Tuple*) {
    if (nargs < 3) return raise(exc.TypeError, "call_later() missing required positional arguments");
    double delay;
    if (!to_seconds(args[1], &delay, "delay")) return Value::null();
    return schedule_call(self_loop(args[0]), delay, true, args + 2, nargs - 2);
}

Value loop_call_at(Value* args, int nargs, Tuple*) {
    if (nargs < 3) return raise(exc.TypeError, "call_at() missing required positional arguments");
    double when;
    if (!to_seconds(args[1], &when, "when")) return Value::null();
    EventLoop* loop = self_loop(args[0]);
    return schedule_call(loop, when - loop_time(loop), true, args + 2, nargs - 2);
}

Value loop_time_method(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "time() takes no arguments");
    return Value::from_double(loop_time(self_loop(args[0])));
}

Value loop_create_future(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "create_future() takes no arguments");
    return Value::object(make_future(self_loop(args[0])));
}

Value loop_create_task(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("create_task", "self, coro, /, *, name=None, context=None");
    Value a[4];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    Future* t = make_task(self_loop(a[0]), a[1], a[2]);
    return t ? Value::object(t) : Value::null();
}

Value loop_is_running(Value* args, int, Tuple*) { return Value::boolean(self_loop(args[0])->running); }
Value loop_is_closed(Value* args, int, Tuple*) { return Value::boolean(self_loop(args[0])->closed); }

Value loop_stop(Value* args, int, Tuple*) {
    self_loop(args[0])->stopping = true;
    return Value::none();
}

// BaseEventLoop._asyncgen_firstiter_hook: remember [agen] to close it at shutdown.
void remember_asyncgen(vm::Generator* agen) {
    EventLoop* loop = running_loop();
    if (!loop || loop->asyncgens_shutdown_called) return;
    auto& gens = loop->asyncgens;
    if (gens.size() >= 2 * loop->asyncgens_pruned_size + 64) {
        std::erase_if(gens, [](Value g) { return as<vm::Generator>(g)->finished(); });
        loop->asyncgens_pruned_size = gens.size();
    }
    gens.push_back(Value::object(agen));
}

// loop.shutdown_asyncgens(): a coroutine that closes the async generators still open
// (asyncio.runners._close_asyncgens, which CPython has in base_events.py).
Value loop_shutdown_asyncgens(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "shutdown_asyncgens() takes no arguments");
    EventLoop* loop = self_loop(args[0]);
    loop->asyncgens_shutdown_called = true;
    std::vector<Value> open;
    for (Value g : loop->asyncgens)
        if (as<vm::Generator>(g)->frame) open.push_back(g);
    loop->asyncgens.clear();
    Value gens = Value::object(make_list(open));
    Root keep(gens);
    static Str* const kRunners = intern("asyncio.runners");
    static Str* const kClose = intern("_close_asyncgens");
    Value runners = dict_get_str(sys_modules(), kRunners);
    if (runners.is_null()) return raise(exc.RuntimeError, "asyncio.runners is not loaded");
    Value close = dict_get_str(as<Module>(runners)->dict, kClose);
    Value call_args[2] = {args[0], gens};
    return call(close, call_args, 2);
}

Value loop_close(Value* args, int, Tuple*) {
    EventLoop* loop = self_loop(args[0]);
    if (loop->running) return raise(exc.RuntimeError, "Cannot close a running event loop");
    close_loop(loop);
    return Value::none();
}

Value loop_run_until_complete(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "run_until_complete() takes exactly one argument");
    EventLoop* loop = self_loop(args[0]);
    Value target = args[1];
    Future* f;
    if (is_future(target)) {
        f = as<Future>(target);
    } else {
        f = make_task(loop, target, Value::none());
        if (!f) return Value::null();
    }
    Root keep(Value::object(f));
    if (!run_until_complete(loop, f)) return Value::null();
    return future_result(f);
}

Value loop_set_exception_handler(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "set_exception_handler() takes exactly one argument");
    if (!args[1].is_none() && !type_of(args[1])->call)
        return raise_format(exc.TypeError, "A callable object or None is expected, got %s",
                            std::string(str_view(repr(args[1]))).c_str());
    self_loop(args[0])->exception_handler = args[1];
    return Value::none();
}

Value loop_get_exception_handler(Value* args, int, Tuple*) {
    return self_loop(args[0])->exception_handler;
}

Value loop_run_in_executor(Value*, int, Tuple*) {
    return raise(exc.NotImplementedError, "loop.run_in_executor() is not supported by apy (no threads)");
}

Value loop_repr(Value self) {
    EventLoop* loop = self_loop(self);
    return str_value(std::string("<_UnixSelectorEventLoop running=") + (loop->running ? "True" : "False") +
                     " closed=" + (loop->closed ? "True" : "False") + " debug=False>");
}

}  // namespace

EventLoop* running_loop() { return g_running; }

void set_running_loop(EventLoop* loop) {
    if (g_running) g_running->running = false;
    g_running = loop;
    if (loop) loop->running = true;
}

bool run_ready(EventLoop* loop) {
    EventLoop* saved = g_running;
    bool was_running = loop->running;
    g_running = loop;
    loop->running = true;
    run_once(loop, false);
    loop->running = was_running;
    g_running = saved;
    return !has_pending();
}

double next_wakeup(EventLoop* loop) {
    if (!loop->ready.empty()) return 0;
    if (loop->timers.empty()) return -1;
    return std::max(0.0, loop->timers.front().when - monotonic_now());
}

EventLoop* make_loop() { return heap().make<EventLoop>(types.loop); }

double loop_time(EventLoop*) { return monotonic_now(); }

void call_soon(EventLoop* loop, HandleKind kind, Value target, Value arg) {
    loop->ready.push_back({kind, target, arg});
}

Handle* call_soon_callable(EventLoop* loop, Value callable, Value args) {
    Handle* h = make_handle(loop, types.handle, callable, args);
    loop->ready.push_back({HandleKind::Call, Value::object(h), Value::null()});
    return h;
}

void call_later_sleep(EventLoop* loop, double delay, Object* sleep) {
    schedule_timer(loop, loop_time(loop) + delay, sleep);
}

bool run_until_complete(EventLoop* loop, Future* future) {
    if (loop->closed) {
        raise(exc.RuntimeError, "Event loop is closed");
        return false;
    }
    if (loop->running) {
        raise(exc.RuntimeError, "This event loop is already running");
        return false;
    }
    if (g_running) {
        raise(exc.RuntimeError, "Cannot run the event loop while another loop is running");
        return false;
    }
    future_add_callback(future, {HandleKind::StopLoop, Value::object(loop)});
    loop->running = true;
    loop->stopping = false;
    g_running = loop;
    bool ok = true;
    for (;;) {
        if (loop->ready.empty() && loop->timers.empty() && !loop->stopping &&
            !future_done(future)) {
            // CPython would block in select() forever here; apy says why instead.
            raise(exc.RuntimeError,
                  "event loop deadlock: every task is waiting and no callback or timer is pending "
                  "(apy stops here where CPython would hang)");
            ok = false;
            break;
        }
        run_once(loop);
        if (has_pending() || raise_if_interrupted()) {
            ok = false;
            break;
        }
        if (loop->stopping) break;
    }
    loop->stopping = false;
    loop->running = false;
    g_running = nullptr;
    // Stopped early (loop.stop()): leave the callback out.
    future->callbacks.remove_if([](const Callback& c) { return c.kind == HandleKind::StopLoop; });
    if (ok && !future_done(future)) {
        raise(exc.RuntimeError, "Event loop stopped before Future completed.");
        return false;
    }
    return ok;
}

void close_loop(EventLoop* loop) {
    loop->closed = true;
    loop->ready.clear();
    for (const TimerEntry& t : loop->timers)
        if (is_handle(t.target)) static_cast<Handle*>(t.target)->scheduled = false;
    loop->timers.clear();
}

void report_exception(EventLoop* loop, const std::string& message, Value exception, Value owner) {
    if (!loop->exception_handler.is_none()) {
        Dict* context = make_dict();
        Root keep(Value::object(context));
        dict_set_str(context, "message", str_value(message));
        if (!exception.is_null()) dict_set_str(context, "exception", exception);
        if (!owner.is_null())
            dict_set_str(context, isinstance(owner, types.handle) ? "handle" : "future", owner);
        Value args[2] = {Value::object(loop), Value::object(context)};
        if (call(loop->exception_handler, args, 2).is_null()) {
            Value e = take_pending();
            std::string text = "Unhandled error in exception handler\n" + vm::format_exception(e);
            std::fflush(stdout);
            std::fwrite(text.data(), 1, text.size(), stderr);
        }
        return;
    }
    std::string text = message + "\n";
    if (!owner.is_null()) {
        Value r = repr(owner);
        if (r.is_null()) clear_pending();
        else text += std::string(isinstance(owner, types.handle) ? "handle: " : "future: ") +
                     std::string(str_view(r)) + "\n";
    }
    if (!exception.is_null()) text += vm::format_exception(exception);
    std::fflush(stdout);
    std::fwrite(text.data(), 1, text.size(), stderr);
}

void setup_loop_type() {
    types.loop = make_builtin_type("_UnixSelectorEventLoop", Layout::Other);
    types.loop->module = "asyncio.unix_events";
    types.loop->trace = loop_trace;
    types.loop->destroy = loop_destroy;
    types.loop->repr = loop_repr;
    static const MethodDef loop_methods[] = {
        {"call_soon", loop_call_soon},
        {"call_later", loop_call_later},
        {"call_at", loop_call_at},
        {"time", loop_time_method},
        {"create_future", loop_create_future},
        {"create_task", loop_create_task},
        {"is_running", loop_is_running},
        {"is_closed", loop_is_closed},
        {"stop", loop_stop},
        {"close", loop_close},
        {"run_until_complete", loop_run_until_complete},
        {"set_exception_handler", loop_set_exception_handler},
        {"get_exception_handler", loop_get_exception_handler},
        {"run_in_executor", loop_run_in_executor},
        {"shutdown_asyncgens", loop_shutdown_asyncgens},
        {nullptr, nullptr},
    };
    add_methods(types.loop, loop_methods);

    static const MethodDef handle_methods[] = {
        {"cancel", handle_cancel}, {"cancelled", handle_cancelled}, {nullptr, nullptr}};
    types.handle = make_builtin_type("Handle", Layout::Other);
    types.handle->module = "asyncio.events";
    types.handle->trace = handle_trace;
    types.handle->repr = handle_repr;
    add_methods(types.handle, handle_methods);
    types.timer_handle = make_builtin_type("TimerHandle", Layout::Other, types.handle);
    types.timer_handle->module = "asyncio.events";
    types.timer_handle->trace = handle_trace;
    types.timer_handle->repr = handle_repr;
    static const MethodDef timer_methods[] = {{"when", handle_when}, {nullptr, nullptr}};
    add_methods(types.timer_handle, timer_methods);
    heap().add_root_provider(mark_running_loop);
    vm::set_async_generator_first_iter_hook(remember_asyncgen);
}

}  // namespace apy::aio
