// The asyncio module: run, sleep, gather, create_task and friends.
#include "runtime/args.h"
#include "runtime/asyncio/asyncio.h"
#include "runtime/asyncio/library.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/generator.h"

#include <algorithm>
#include <utility>

namespace apy::rt {
void inherit_slots(Type* type);
Dict* sys_modules();
}

namespace apy::aio {

using namespace rt;

// Coroutines and what CPython's collections.abc.Coroutine also covers: sleep's awaitable and
// an async generator's asend/athrow/aclose awaitables.
bool is_coroutine_value(Value v) {
    Type* t = type_of(v);
    return vm::is_coroutine(v) || t == types.sleep || t == types.queue_call ||
           vm::is_async_generator_awaitable(v);
}

namespace {

// ---- sleep: a native awaitable laid out as a future. With a positive delay it is itself
// the future its task waits on (the task sees a Future; see task.cpp), and its timer is an
// entry in the loop's heap: a sleeping task costs one small object.

struct SleepCall : Future {
    Value delay;
    // Future::result holds the result from the start, Future::sleep_state the progress, and
    // Future::loop is set while the timer waits (sleep(0) has none).
};

SendResult sleep_send(Value self, Value, Value* out) {
    SleepCall* s = as<SleepCall>(self);
    if (s->sleep_state == 2) {
        raise(exc.RuntimeError, "cannot reuse already awaited coroutine");
        return SendResult::Error;
    }
    if (s->sleep_state == 1) {
        s->sleep_state = 2; // its timer is cancelled, if it has not fired
        if (!s->loop) {
            *out = s->result;
            return SendResult::Returned;
        }
        Value r = future_result(s);
        if (r.is_null()) return SendResult::Error;
        *out = r;
        return SendResult::Returned;
    }
    EventLoop* loop = running_loop();
    if (!loop) {
        s->sleep_state = 2;
        raise(exc.RuntimeError, "no running event loop");
        return SendResult::Error;
    }
    int t;
    if (s->delay.is_small_int()) {
        t = s->delay.as_small_int() <= 0;
    } else if (s->delay.is_double()) {
        t = s->delay.as_double() <= 0;
    } else {
        Value non_positive = compare(s->delay, Value::small_int(0), CompareOp::Le);
        t = non_positive.is_null() ? -1 : truthy(non_positive);
    }
    if (t < 0) {
        s->sleep_state = 2;
        return SendResult::Error;
    }
    s->sleep_state = 1;
    if (t) {
        // sleep(0): yield once; the task steps again on the next loop round.
        *out = Value::none();
        return SendResult::Yielded;
    }
    double delay;
    if (s->delay.is_double()) {
        delay = s->delay.as_double();
    } else if (!int_to_double(s->delay, &delay)) {
        s->sleep_state = 2;
        return SendResult::Error;
    }
    s->loop = loop;
    call_later_sleep(loop, delay, s);
    s->blocking = true;
    *out = self;
    return SendResult::Yielded;
}

SendResult sleep_throw(Value self, Value exception, Value*) {
    SleepCall* s = as<SleepCall>(self);
    s->sleep_state = 2;
    raise_value(exception);
    return SendResult::Error;
}

Value sleep_repr(Value self) { return native_coroutine_repr(self, "sleep"); }

const char* sleep_take_unawaited(Object* self) {
    auto* s = static_cast<SleepCall*>(self);
    if (s->sleep_state != 0 || s->unawaited_reported) return nullptr;
    s->unawaited_reported = true;
    return "sleep";
}

void sleep_destroy(Object* self) {
    vm::warn_if_unawaited(self);
    future_destroy(self);
}

// ---- send(), throw() and close() of the native awaitables standing for coroutines

Value resumed(SendResult r, Value out) {
    if (r == SendResult::Yielded) return out;
    if (r == SendResult::Error) return Value::null();
    if (out.is_none()) return raise_value(make_exception(exc.StopIteration, make_tuple(0)));
    return raise_with_arg(exc.StopIteration, out);
}

Value native_coroutine_send(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("send", nargs, kwnames, 1, 1)) return Value::null();
    Value out;
    return resumed(type_of(args[0])->send(args[0], args[1], &out), out);
}

Value native_coroutine_throw(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("throw", nargs, kwnames, 1, 1)) return Value::null();
    Value thrown = vm::exception_to_throw(args[1], Value::none());
    if (thrown.is_null()) return thrown;
    Value out;
    return resumed(type_of(args[0])->throw_in(args[0], thrown, &out), out);
}

Value native_coroutine_close(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("close", nargs, kwnames, 0, 0)) return Value::null();
    Value out;
    Value exit = make_exception(exc.GeneratorExit, make_tuple(0));
    SendResult r = type_of(args[0])->throw_in(args[0], exit, &out);
    if (r == SendResult::Yielded) return raise(exc.RuntimeError, "coroutine ignored GeneratorExit");
    if (r == SendResult::Error) {
        if (!pending_is(exc.GeneratorExit) && !pending_is(exc.StopIteration)) return Value::null();
        clear_pending();
    }
    return Value::none();
}

void sleep_trace(Object* self, Tracer& tracer) {
    auto* s = static_cast<SleepCall*>(self);
    trace_future_fields(s, tracer);
    tracer.mark(s->delay);
}

Value asyncio_sleep(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("sleep", "delay, result=None");
    Value a[2] = {nargs == 1 ? args[0] : Value::null(), Value::none()};
    if ((nargs != 1 || kwnames) && !sig.bind(args, nargs, kwnames, a)) return Value::null();
    SleepCall* s = heap().make<SleepCall>(types.sleep);
    s->delay = a[0];
    s->result = a[1];
    return Value::object(s);
}

// ---- tasks and futures

EventLoop* require_running_loop() {
    EventLoop* loop = running_loop();
    if (!loop) raise(exc.RuntimeError, "no running event loop");
    return loop;
}


Value asyncio_create_task(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("create_task", "coro, *, name=None, context=None");
    Value a[3];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    EventLoop* loop = require_running_loop();
    if (!loop) return Value::null();
    Future* t = make_task(loop, a[0], a[1]);
    return t ? Value::object(t) : Value::null();
}

// ensure_future(): a future as is, a coroutine wrapped in a task.
Value ensure_future(Value v, EventLoop* loop) {
    if (is_future(v)) return v;
    if (is_coroutine_value(v)) {
        if (!loop) loop = require_running_loop();
        if (!loop) return Value::null();
        Future* t = make_task(loop, v, Value::none());
        return t ? Value::object(t) : Value::null();
    }
    return raise(exc.TypeError, "An asyncio.Future, a coroutine or an awaitable is required");
}

Value asyncio_ensure_future(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("ensure_future", "coro_or_future, *, loop=None");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    return ensure_future(a[0], a[1].is_none() ? nullptr : as<EventLoop>(a[1]));
}

GatheringFuture* make_gathering_future(EventLoop* loop) {
    auto* outer = heap().make<GatheringFuture>(types.gathering_future);
    outer->loop = loop;
    return outer;
}

void gathering_trace(Object* self, Tracer& tracer) {
    auto* outer = static_cast<GatheringFuture*>(self);
    trace_future_fields(outer, tracer);
    tracer.mark_all(outer->children);
}

void gathering_destroy(Object* self) { static_cast<GatheringFuture*>(self)->~GatheringFuture(); }

Value asyncio_gather(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("gather", "*coros_or_futures, return_exceptions=False");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    Tuple* items = as<Tuple>(a[0]);
    EventLoop* loop = nullptr;
    if (items->size == 0) {
        loop = require_running_loop();
        if (!loop) return Value::null();
        Future* outer = make_future(loop);
        future_set_result(outer, Value::object(make_list()));
        return Value::object(outer);
    }
    // An argument passed again shares the first one's future (by identity): each
    // argument's first position, from the arguments sorted by identity.
    int64_t n = items->size;
    std::vector<std::pair<uint64_t, int64_t>> by_identity(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) by_identity[i] = {items->items[i].bits(), i};
    std::sort(by_identity.begin(), by_identity.end());
    std::vector<int64_t> first(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        first[by_identity[i].second] = i > 0 && by_identity[i].first == by_identity[i - 1].first
                                           ? first[by_identity[i - 1].second]
                                           : by_identity[i].second;
    by_identity = {};
    std::vector<Value> children(static_cast<size_t>(n));
    VectorRoot keep(children);
    int64_t distinct = 0;
    for (int64_t i = 0; i < n; ++i) {
        if (first[i] != i) {
            children[i] = children[first[i]];
            continue;
        }
        Value fut = ensure_future(items->items[i], loop);
        if (fut.is_null()) return fut;
        loop = as<Future>(fut)->loop;
        children[i] = fut;
        ++distinct;
    }
    GatheringFuture* outer = make_gathering_future(loop);
    outer->return_exceptions = truthy(a[1]) == 1;
    outer->distinct_children = distinct;
    for (int64_t i = 0; i < n; ++i)
        if (first[i] == i)
            future_add_callback(as<Future>(children[i]),
                                {HandleKind::GatherChildDone, Value::object(outer)});
    outer->children = std::move(children);
    return Value::object(outer);
}

Value gathering_cancel(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("cancel", "self, msg=None");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    auto* outer = as<GatheringFuture>(a[0]);
    if (future_done(outer)) return Value::boolean(false);
    bool any = false;
    for (Value child : outer->children) {
        Value cancel_args[2] = {child, a[1]};
        static Str* const kCancel = intern("cancel");
        Value r = call_method(child, kCancel, cancel_args + 1, 1);
        if (r.is_null()) return r;
        if (r.is_true()) any = true;
    }
    if (any) outer->must_cancel = true;  // _cancel_requested
    return Value::boolean(any);
}

Value asyncio_run(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("run", "main, *, debug=None");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    if (running_loop()) {
        raise(exc.RuntimeError, "asyncio.run() cannot be called from a running event loop");
        // The coroutine stays referenced by run()'s frame in the traceback.
        as<ExceptionObject>(pending())->retained = a[0];
        return Value::null();
    }
    if (!is_coroutine_value(a[0])) {
        bool ok;
        std::string r = repr_string(a[0], &ok);
        if (!ok) return Value::null();
        return raise(exc.ValueError, "a coroutine was expected, got " + r);
    }
    EventLoop* loop = make_loop();
    Root keep_loop(Value::object(loop));
    Future* main_task = make_task(loop, a[0], Value::none());
    if (!main_task) return Value::null();
    Root keep_task(Value::object(main_task));
    bool ok = run_until_complete(loop, main_task);
    Value interrupted = ok ? Value::null() : take_pending();
    main_task->log_traceback = false;  // its result or exception goes to the caller
    Root keep_interrupted(interrupted);

    // Cancel what is left, let it finish, and report its failures (runners.py).
    std::vector<Value> left = loop->tasks;
    if (!left.empty()) {
        List* keep_left = make_list(left);
        Root keep(Value::object(keep_left));
        for (Value t : left) {
            static Str* const kCancel = intern("cancel");
            if (call_method(t, kCancel, nullptr, 0).is_null()) return Value::null();
        }
        GatheringFuture* all = make_gathering_future(loop);
        Root keep_all(Value::object(all));
        all->children = left;
        all->distinct_children = static_cast<int64_t>(left.size());
        all->return_exceptions = true;
        for (Value fut : left) {
            future_add_callback(as<Future>(fut), {HandleKind::GatherChildDone, Value::object(all)});
        }
        if (!run_until_complete(loop, all) && interrupted.is_null()) interrupted = take_pending();
        for (Value t : keep_left->items) {
            Future* task = as<Future>(t);
            if (task->state == FutureState::Finished && !task->exception.is_null()) {
                task->log_traceback = false;
                report_exception(loop, "unhandled exception during asyncio.run() shutdown",
                                 task->exception, t);
            }
        }
    }
    // runners.py: loop.shutdown_asyncgens(), then shutdown_default_executor() (a task too).
    static Str* const kShutdownAsyncgens = intern("shutdown_asyncgens");
    Value close_gens = call_method(Value::object(loop), kShutdownAsyncgens, nullptr, 0);
    Root keep_close_gens(close_gens);
    Future* closing = close_gens.is_null() ? nullptr : make_task(loop, close_gens, Value::none());
    Root keep_closing(closing ? Value::object(closing) : Value::none());
    if (!closing || !run_until_complete(loop, closing)) {
        Value e = take_pending();
        if (interrupted.is_null()) interrupted = e;
    }
    use_task_numbers(1);
    close_loop(loop);
    for (Value t : loop->failed_tasks) {
        Future* task = as<Future>(t);
        if (task->log_traceback) {
            task->log_traceback = false;
            report_exception(loop, "Task exception was never retrieved", task->exception, t);
        }
    }
    loop->failed_tasks.clear();
    if (!interrupted.is_null()) {
        set_pending(interrupted);
        return Value::null();
    }
    return future_result(main_task);
}

Value asyncio_get_running_loop(Value*, int nargs, Tuple*) {
    if (nargs != 0) return raise(exc.TypeError, "get_running_loop() takes no arguments");
    EventLoop* loop = require_running_loop();
    return loop ? Value::object(loop) : Value::null();
}

Value asyncio_get_event_loop(Value*, int nargs, Tuple*) {
    if (nargs != 0) return raise(exc.TypeError, "get_event_loop() takes no arguments");
    if (EventLoop* loop = running_loop()) return Value::object(loop);
    return Value::object(make_loop());
}

Value asyncio_new_event_loop(Value*, int, Tuple*) { return Value::object(make_loop()); }

Value asyncio_current_task(Value* args, int nargs, Tuple*) {
    EventLoop* loop = nargs >= 1 && !args[0].is_none() ? as<EventLoop>(args[0]) : running_loop();
    if (!loop) return raise(exc.RuntimeError, "no running event loop");
    return current_task(loop);
}

Value asyncio_all_tasks(Value* args, int nargs, Tuple*) {
    EventLoop* loop = nargs >= 1 && !args[0].is_none() ? as<EventLoop>(args[0]) : running_loop();
    if (!loop) return raise(exc.RuntimeError, "no running event loop");
    Set* s = make_set();
    Root keep(Value::object(s));
    for (Value t : loop->tasks)
        if (!set_add(s, t)) return Value::null();
    return Value::object(s);
}

Value asyncio_iscoroutine(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "iscoroutine() takes exactly one argument");
    return Value::boolean(is_coroutine_value(args[0]));
}

Value asyncio_iscoroutinefunction(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "iscoroutinefunction() takes exactly one argument");
    Value f = args[0];
    if (is_layout(f, Layout::BoundMethod)) f = as<BoundMethod>(f)->function;
    if (is_layout(f, Layout::Function))
        return Value::boolean(as<Function>(f)->code->flags & vm::kCoroutine);
    if (!is_layout(f, Layout::BuiltinFunction)) return Value::boolean(false);
    NativeFn fn = as<BuiltinFunction>(f)->fn;
    return Value::boolean(fn == asyncio_sleep || is_queue_coroutine_method(fn));
}

Value asyncio_isfuture(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "isfuture() takes exactly one argument");
    return Value::boolean(is_future(args[0]));
}

Type* make_asyncio_exception(const char* name, Type* base) {
    Type* t = make_builtin_type(name, Layout::Exception, base);
    t->module = "asyncio.exceptions";
    inherit_slots(t);
    return t;
}

void setup_types_once() {
    if (types.future) return;
    setup_loop_type();
    inherit_slots(types.loop);
    inherit_slots(types.handle);
    inherit_slots(types.timer_handle);
    setup_future_type();
    setup_task_type();
    types.gathering_future = make_builtin_type("_GatheringFuture", Layout::Other, types.future);
    types.gathering_future->module = "asyncio.tasks";
    static const MethodDef gathering_methods[] = {{"cancel", gathering_cancel}, {nullptr, nullptr}};
    add_methods(types.gathering_future, gathering_methods);
    types.gathering_future->trace = gathering_trace;
    types.gathering_future->destroy = gathering_destroy;
    inherit_slots(types.gathering_future);
    types.sleep = make_native_coroutine_type(sleep_send, sleep_throw, sleep_repr, sleep_trace);
    types.sleep->destroy = sleep_destroy;
    types.sleep->take_unawaited = sleep_take_unawaited;
    types.CancelledError = make_asyncio_exception("CancelledError", exc.BaseException);
    types.InvalidStateError = make_asyncio_exception("InvalidStateError", exc.Exception);
    types.QueueEmpty = make_asyncio_exception("QueueEmpty", exc.Exception);
    types.QueueFull = make_asyncio_exception("QueueFull", exc.Exception);
    types.QueueEmpty->module = types.QueueFull->module = "asyncio.queues";
    setup_queue_types();
}

}  // namespace

Type* make_native_coroutine_type(SendResult (*send)(Value, Value, Value*),
                                 SendResult (*throw_in)(Value, Value, Value*), Value (*repr)(Value),
                                 void (*trace)(Object*, Tracer&)) {
    Type* t = vm::make_native_awaitable_type("coroutine", send, throw_in, trace);
    t->repr = repr;
    static const MethodDef methods[] = {
        {"send", native_coroutine_send},
        {"throw", native_coroutine_throw},
        {"close", native_coroutine_close},
        {nullptr, nullptr},
    };
    add_methods(t, methods);
    return t;
}

void sleep_timer_fired(Object* sleep) {
    SleepCall* s = static_cast<SleepCall*>(sleep);
    // futures._set_result_unless_cancelled
    if (s->state == FutureState::Pending) future_set_result(s, s->result);
}

// CPython's sleep cancels its timer when it ends; a timer whose future is done does nothing.
bool sleep_timer_cancelled(Object* sleep) {
    SleepCall* s = static_cast<SleepCall*>(sleep);
    return s->sleep_state == 2 || s->state != FutureState::Pending;
}

bool is_sleep_future(Value v) { return type_of(v) == types.sleep && as<Future>(v)->blocking; }

void gather_child_done(GatheringFuture* outer, Future* child) {
    outer->finished_children += 1;
    if (future_done(outer)) {
        if (child->state != FutureState::Cancelled) child->log_traceback = false;
        return;
    }
    if (!outer->return_exceptions) {
        if (child->state == FutureState::Cancelled) {
            future_set_exception(outer, make_cancelled_error(child));
            return;
        }
        if (!child->exception.is_null()) {
            child->log_traceback = false;
            future_set_exception(outer, child->exception);
            return;
        }
    }
    if (outer->finished_children < outer->distinct_children) return;
    List* results = make_list();
    results->items.reserve(outer->children.size());
    for (Value c : outer->children) {
        Future* f = as<Future>(c);
        if (f->state == FutureState::Cancelled) {
            Value message = f->cancel_message().is_none() ? str_value("") : f->cancel_message();
            list_append(results, make_exception(types.CancelledError, make_tuple(&message, 1)));
        } else if (!f->exception.is_null()) {
            f->log_traceback = false;
            list_append(results, f->exception);
        } else {
            list_append(results, f->result);
        }
    }
    if (outer->must_cancel) {
        future_set_exception(outer, make_cancelled_error(child));
    } else {
        future_set_result(outer, Value::object(results));
    }
}

Module* make_asyncio_module() {
    setup_types_once();
    Module* m = make_module("asyncio");
    static const MethodDef functions[] = {
        {"run", asyncio_run},
        {"sleep", asyncio_sleep},
        {"create_task", asyncio_create_task},
        {"ensure_future", asyncio_ensure_future},
        {"gather", asyncio_gather},
        {"get_running_loop", asyncio_get_running_loop},
        {"get_event_loop", asyncio_get_event_loop},
        {"new_event_loop", asyncio_new_event_loop},
        {"current_task", asyncio_current_task},
        {"all_tasks", asyncio_all_tasks},
        {"iscoroutine", asyncio_iscoroutine},
        {"iscoroutinefunction", asyncio_iscoroutinefunction},
        {"isfuture", asyncio_isfuture},
        {nullptr, nullptr},
    };
    for (const MethodDef* f = functions; f->name; ++f)
        dict_set_str(m->dict, f->name, Value::object(make_builtin(f->name, f->fn)));
    dict_set_str(m->dict, "Future", Value::object(types.future));
    dict_set_str(m->dict, "Task", Value::object(types.task));
    dict_set_str(m->dict, "CancelledError", Value::object(types.CancelledError));
    dict_set_str(m->dict, "InvalidStateError", Value::object(types.InvalidStateError));
    dict_set_str(m->dict, "TimeoutError", Value::object(exc.TimeoutError));
    // The library modules import from asyncio while it is being made.
    Root keep(Value::object(m));
    dict_set(sys_modules(), str_value("asyncio"), Value::object(m));
    add_queues_module(m);
    load_library(m);
    return m;
}

}  // namespace apy::aio
