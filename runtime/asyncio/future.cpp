// Futures: a result that arrives later, with callbacks scheduled on the loop
// when it does (futures.py).
#include "runtime/args.h"
#include "runtime/asyncio/asyncio.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "vm/code.h"

#include <algorithm>

namespace apy::rt {
void inherit_slots(Type* type);
}

namespace apy::aio {

using namespace rt;

namespace {

Future* self_future(Value v) { return as<Future>(v); }

void schedule_callback(Future* f, const Callback& cb) {
    Value future = Value::object(f);
    if (cb.kind == HandleKind::Call) {
        call_soon_callable(f->loop, cb.target, Value::object(make_tuple(&future, 1)));
    } else {
        call_soon(f->loop, cb.kind, cb.target, future);
    }
}

void schedule_callbacks(Future* f) {
    if (f->callbacks.empty()) return;
    std::vector<Callback> rest;
    schedule_callback(f, f->callbacks.take(rest));
    for (const Callback& cb : rest) schedule_callback(f, cb);
}

const char* state_name(Future* f) {
    switch (f->state) {
    case FutureState::Pending: return "PENDING";
    case FutureState::Cancelled: return "CANCELLED";
    default: return "FINISHED";
    }
}

Value invalid_state(const std::string& message) { return raise(types.InvalidStateError, message); }

// ---- methods

Value m_result(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "result() takes no arguments");
    return future_result(self_future(args[0]));
}

Value m_exception(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "exception() takes no arguments");
    Future* f = self_future(args[0]);
    if (f->state == FutureState::Cancelled) return raise_value(make_cancelled_error(f));
    if (f->state != FutureState::Finished) return invalid_state("Exception is not set.");
    f->log_traceback = false;
    return f->exception.is_null() ? Value::none() : f->exception;
}

Value m_done(Value* args, int, Tuple*) { return Value::boolean(future_done(self_future(args[0]))); }

Value m_cancelled(Value* args, int, Tuple*) {
    return Value::boolean(self_future(args[0])->state == FutureState::Cancelled);
}

Value m_add_done_callback(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("add_done_callback", "self, fn, /, *, context=None");
    Value a[3];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    Future* f = self_future(a[0]);
    if (future_done(f)) {
        call_soon_callable(f->loop, a[1], Value::object(make_tuple(&a[0], 1)));
    } else {
        f->callbacks.push_back({HandleKind::Call, a[1]});
    }
    return Value::none();
}

Value m_remove_done_callback(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "remove_done_callback() takes exactly one argument");
    Future* f = self_future(args[0]);
    int64_t removed = 0;
    std::vector<Callback> kept;
    for (const Callback& cb : f->callbacks.to_vector()) {
        int eq = cb.kind == HandleKind::Call ? equals(cb.target, args[1]) : 0;
        if (eq < 0) return Value::null();
        if (eq) ++removed;
        else kept.push_back(cb);
    }
    f->callbacks.assign(kept);
    return make_int(removed);
}

Value m_set_result(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "set_result() takes exactly one argument");
    return future_set_result(self_future(args[0]), args[1]) ? Value::none() : Value::null();
}

Value m_set_exception(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "set_exception() takes exactly one argument");
    return future_set_exception(self_future(args[0]), args[1]) ? Value::none() : Value::null();
}

Value m_cancel(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("cancel", "self, msg=None");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    return Value::boolean(future_cancel(self_future(a[0]), a[1]));
}

Value m_get_loop(Value* args, int, Tuple*) { return Value::object(self_future(args[0])->loop); }

Value future_iter_blocking(Value self, Str* name) {
    if (name->view() == "_asyncio_future_blocking") return Value::boolean(self_future(self)->blocking);
    if (name->view() == "_state") return str_value(state_name(self_future(self)));
    return generic_getattr(self, name);
}

void future_trace(Object* self, Tracer& tracer) {
    trace_future_fields(static_cast<Future*>(self), tracer);
}

Value future_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("Future", "*, loop=None");
    Value a[1];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    EventLoop* loop = a[0].is_none() ? running_loop() : as<EventLoop>(a[0]);
    if (!loop) return raise(exc.RuntimeError, "no running event loop");
    return Value::object(make_future(loop, type));
}

}  // namespace

void trace_future_fields(Future* f, Tracer& tracer) {
    tracer.mark(f->loop);
    tracer.mark(f->result);
    tracer.mark(f->exception);
    f->callbacks.trace(tracer);
}

void future_destroy(Object* self) { static_cast<Future*>(self)->~Future(); }

Future* make_future(EventLoop* loop, Type* type) {
    Future* f = heap().make<Future>(type ? type : types.future);
    f->loop = loop;
    return f;
}

bool is_future(Value v) { return v.is_object() && isinstance(v, types.future); }

bool future_done(Future* f) { return f->state != FutureState::Pending; }

bool future_set_result(Future* f, Value result) {
    if (f->state != FutureState::Pending) {
        invalid_state(std::string("invalid state"));
        return false;
    }
    f->result = result;
    f->state = FutureState::Finished;
    schedule_callbacks(f);
    return true;
}

bool future_set_exception(Future* f, Value exception) {
    if (f->state != FutureState::Pending) {
        invalid_state("invalid state");
        return false;
    }
    if (is_layout(exception, Layout::Type)) {
        exception = call0(exception);
        if (exception.is_null()) return false;
    }
    if (!isinstance(exception, exc.BaseException)) {
        raise_format(exc.TypeError, "invalid exception object");
        return false;
    }
    if (isinstance(exception, exc.StopIteration)) {
        raise(exc.TypeError, "StopIteration interacts badly with generators and cannot be raised into a Future");
        return false;
    }
    f->result = Value::none(); // no cancel message of a task (see Future::result)
    f->exception = exception;
    f->state = FutureState::Finished;
    f->log_traceback = true;
    schedule_callbacks(f);
    return true;
}

bool future_cancel(Future* f, Value message) {
    f->log_traceback = false;
    if (f->state != FutureState::Pending) return false;
    f->state = FutureState::Cancelled;
    f->cancel_message() = message;
    schedule_callbacks(f);
    return true;
}

Value make_cancelled_error(Future* f) {
    if (f->state == FutureState::Finished)
        return make_exception(types.CancelledError, make_tuple(0));
    if (!f->cancelled_exc().is_null()) {
        Value e = f->cancelled_exc();
        f->cancelled_exc() = Value::null();
        return e;
    }
    if (f->cancel_message().is_none()) return make_exception(types.CancelledError, make_tuple(0));
    return make_exception(types.CancelledError, make_tuple(&f->cancel_message(), 1));
}

Value future_result(Future* f) {
    if (f->state == FutureState::Cancelled) return raise_value(make_cancelled_error(f));
    if (f->state != FutureState::Finished) return invalid_state("Result is not set.");
    f->log_traceback = false;
    if (!f->exception.is_null()) {
        set_pending(f->exception);
        return Value::null();
    }
    return f->result;
}

void future_add_callback(Future* f, Callback callback) {
    f->callbacks.push_back(callback);
    if (future_done(f)) schedule_callbacks(f);
}

SendResult future_send(Value self, Value, Value* out) {
    Future* f = self_future(self);
    if (!future_done(f)) {
        f->blocking = true;
        *out = self;
        return SendResult::Yielded;
    }
    Value r = future_result(f);
    if (r.is_null()) return SendResult::Error;
    *out = r;
    return SendResult::Returned;
}

namespace {

// One done callback as base_futures._format_callbacks shows it: the callable's qualified
// name (CPython's internal callbacks by their names there), "()", and where an apy function
// is defined.
bool append_callback(const Callback& callback, std::string* text) {
    if (callback.kind != HandleKind::Call) {
        switch (callback.kind) {
        case HandleKind::TaskWakeup: *text += "Task.task_wakeup()"; return true;
        case HandleKind::GatherChildDone:
            *text += "gather.<locals>._done_callback() at tasks.py:764";
            return true;
        default: *text += "_run_until_complete_cb() at base_events.py:180"; return true;
        }
    }
    Value cb = callback.target;
    if (is_layout(cb, Layout::Function)) {
        vm::Code* code = as<Function>(cb)->code;
        *text += std::string(as<Function>(cb)->qualname->view()) + "() at " +
                 std::string(code->filename->view()) + ":" + std::to_string(code->firstlineno);
        return true;
    }
    static Str* const kQualname = intern("__qualname__");
    static Str* const kName = intern("__name__");
    Value name = getattr_optional(cb, kQualname);
    if (name.is_null() && !has_pending()) name = getattr_optional(cb, kName);
    if (has_pending()) return false;
    bool ok = true;
    *text += (!name.is_null() && is_str(name) && str_view(name).size() ? std::string(str_view(name))
                                                                       : repr_string(cb, &ok)) +
             "()";
    return ok;
}

} // namespace

// " cb=[...]" for a future with done callbacks: the first and last of more than two, with
// how many are between.
bool append_callbacks(Future* f, std::string* text) {
    size_t n = f->callbacks.size();
    if (n == 0) return true;
    *text += " cb=[";
    if (!append_callback(f->callbacks[0], text)) return false;
    if (n > 2) *text += ", <" + std::to_string(n - 2) + " more>";
    if (n > 1) {
        *text += ", ";
        if (!append_callback(f->callbacks[n - 1], text)) return false;
    }
    *text += "]";
    return true;
}

Value future_repr(Value self) {
    Future* f = self_future(self);
    // A sleep waited on stands for the future CPython's sleep makes.
    const std::string& name =
        type_of(self) == types.sleep ? types.future->name : type_of(self)->name;
    std::string text = "<" + name + " " +
                       (f->state == FutureState::Pending     ? "pending"
                        : f->state == FutureState::Cancelled ? "cancelled"
                                                             : "finished");
    if (f->state == FutureState::Finished) {
        bool ok = true;
        if (!f->exception.is_null()) text += " exception=" + repr_string(f->exception, &ok);
        else text += " result=" + repr_string(f->result, &ok);
        if (!ok) return Value::null();
    }
    if (!append_callbacks(f, &text)) return Value::null();
    return str_value(text + ">");
}

void setup_future_type() {
    types.future = make_builtin_type("Future", Layout::Other);
    types.future->module = "_asyncio";
    Type* t = types.future;
    t->flags |= kTypeNativeAwaitable;
    t->send = future_send;
    t->repr = future_repr;
    t->getattr = future_iter_blocking;
    t->trace = future_trace;
    t->destroy = future_destroy;
    t->new_instance = future_new;
    static const MethodDef methods[] = {
        {"result", m_result},
        {"exception", m_exception},
        {"done", m_done},
        {"cancelled", m_cancelled},
        {"add_done_callback", m_add_done_callback},
        {"remove_done_callback", m_remove_done_callback},
        {"set_result", m_set_result},
        {"set_exception", m_set_exception},
        {"cancel", m_cancel},
        {"get_loop", m_get_loop},
        {nullptr, nullptr},
    };
    add_methods(t, methods);
    inherit_slots(t);
}

}  // namespace apy::aio
