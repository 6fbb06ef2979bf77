// Tasks: futures that drive a coroutine, one step per loop callback (tasks.py).
#include "runtime/args.h"
#include "runtime/asyncio/asyncio.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "vm/generator.h"
#include "vm/code.h"

namespace apy::rt {
void inherit_slots(Type* type);
}

namespace apy::aio {

using namespace rt;

namespace {

int64_t g_task_counter = 0;

Task* self_task(Value v) { return as<Task>(v); }

// A task's name is made from its number when first asked for: most never are.
Value task_name(Task* task) {
    if (task->name.is_small_int())
        task->name = str_value("Task-" + std::to_string(task->name.as_small_int()));
    return task->name;
}

void forget_pending_task(Task* task) {
    EventLoop* loop = task->loop;
    int32_t i = task->task_index;
    if (i < 0) return;
    Value last = loop->tasks.back();
    loop->tasks[i] = last;
    as<Task>(last)->task_index = i;
    loop->tasks.pop_back();
    task->task_index = -1;
    if (task->state == FutureState::Finished && !task->exception.is_null())
        loop->failed_tasks.push_back(Value::object(task));
}

// Resumes the task's coroutine: a coroutine object, or a native awaitable (sleep).
SendResult resume_coro(Value coro, Value thrown, Value* out) {
    if (vm::is_coroutine(coro))
        return vm::generator_resume(as<vm::Generator>(coro), Value::none(), thrown, out);
    return thrown.is_null() ? vm::send_to(coro, Value::none(), out)
                            : vm::throw_to(coro, thrown, out);
}

std::string repr_text(Value v) {
    bool ok;
    std::string r = repr_string(v, &ok);
    if (!ok) clear_pending();
    return r;
}

// waiter.cancel(msg): 1 cancelled, 0 not, -1 error. Plain futures skip the method call.
int cancel_waiter(Value waiter, Value message) {
    if (type_of(waiter) == types.future || type_of(waiter) == types.sleep)
        return future_cancel(as<Future>(waiter), message) ? 1 : 0;
    static Str* const kCancel = intern("cancel");
    Value r = call_method(waiter, kCancel, &message, 1);
    if (r.is_null()) return -1;
    return truthy(r);
}

void schedule_step(Task* task, Value thrown = Value::null()) {
    call_soon(task->loop, HandleKind::TaskStep, Value::object(task), thrown);
}

// Steps [task] again soon, throwing a RuntimeError [message] into it.
void step_with_error(Task* task, const std::string& message) {
    schedule_step(task, make_exception(exc.RuntimeError, message));
}

std::string coro_repr(Task* task) {
    Value coro = task->coro;
    if (!(vm::is_coroutine(coro) || vm::is_generator(coro))) return repr_text(coro);
    auto* gen = as<vm::Generator>(coro);
    std::string name = std::string(gen->qualname->view()) + "()";
    vm::Code* code = nullptr;
    int line = 0;
    if (gen->frame) {
        code = gen->frame->code;
        line = gen->started ? vm::line_of(code, gen->frame->pc - 1) : code->firstlineno;
        return "<" + name + " running at " + std::string(code->filename->view()) + ":" +
               std::to_string(line) + ">";
    }
    code = gen->code();
    return "<" + name + " done, defined at " + std::string(code->filename->view()) + ":" +
           std::to_string(code->firstlineno) + ">";
}

Value task_repr(Value self) {
    Task* t = self_task(self);
    std::string text = "<Task ";
    // base_tasks._task_repr_info: 'cancelling' once cancel() was requested.
    text += t->state == FutureState::Pending
                ? (t->num_cancels_requested > 0 || t->must_cancel ? "cancelling" : "pending")
            : t->state == FutureState::Cancelled ? "cancelled" : "finished";
    bool ok = true;
    text += " name=" + repr_string(task_name(t), &ok);
    text += " coro=" + coro_repr(t);
    if (t->state == FutureState::Finished) {
        if (!t->exception.is_null()) text += " exception=" + repr_string(t->exception, &ok);
        else text += " result=" + repr_string(t->result, &ok);
    }
    if (!t->waiter.is_null()) {
        Value w = future_repr(t->waiter);
        if (w.is_null()) return w;
        text += " wait_for=" + std::string(str_view(w));
    }
    if (!ok || !append_callbacks(t, &text)) return Value::null();
    return str_value(text + ">");
}

void task_trace(Object* self, Tracer& tracer) {
    auto* t = static_cast<Task*>(self);
    trace_future_fields(t, tracer);
    tracer.mark(t->coro);
    tracer.mark(t->waiter);
    tracer.mark(t->name);
}

// ---- methods

Value m_get_name(Value* args, int, Tuple*) { return task_name(self_task(args[0])); }

Value m_set_name(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "set_name() takes exactly one argument");
    Value s = to_str(args[1]);
    if (s.is_null()) return s;
    self_task(args[0])->name = s;
    return Value::none();
}

Value m_get_coro(Value* args, int, Tuple*) { return self_task(args[0])->coro; }

Value m_task_cancel(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("cancel", "self, msg=None");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    Task* t = self_task(a[0]);
    t->log_traceback = false;
    if (future_done(t)) return Value::boolean(false);
    t->num_cancels_requested += 1;
    if (!t->waiter.is_null()) {
        // The waiter's own cancel(): a task or a gather passes the cancellation downwards.
        int r = cancel_waiter(t->waiter, a[1]);
        if (r < 0) return Value::null();
        if (r) return Value::boolean(true);
    }
    t->must_cancel = true;
    t->cancel_message() = a[1];
    return Value::boolean(true);
}

Value m_cancelling(Value* args, int, Tuple*) { return make_int(self_task(args[0])->num_cancels_requested); }

Value m_uncancel(Value* args, int, Tuple*) {
    Task* t = self_task(args[0]);
    if (t->num_cancels_requested > 0) t->num_cancels_requested -= 1;
    return make_int(t->num_cancels_requested);
}

Value task_new(Type*, Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("Task", "coro, *, loop=None, name=None, context=None");
    Value a[4];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    EventLoop* loop = a[1].is_none() ? running_loop() : as<EventLoop>(a[1]);
    if (!loop) return raise(exc.RuntimeError, "no running event loop");
    Task* t = make_task(loop, a[0], a[2]);
    return t ? Value::object(t) : Value::null();
}

}  // namespace

Value current_task(EventLoop* loop) { return loop->current_task; }

void use_task_numbers(int n) { g_task_counter += n; }

Task* make_task(EventLoop* loop, Value coro, Value name) {
    if (!is_coroutine_value(coro)) {
        bool ok;
        std::string r = repr_string(coro, &ok);
        if (ok) raise(exc.TypeError, "a coroutine was expected, got " + r);
        return nullptr;
    }
    if (loop->closed) {
        raise(exc.RuntimeError, "Event loop is closed");
        return nullptr;
    }
    Task* t = heap().make<Task>(types.task);
    t->loop = loop;
    t->coro = coro;
    // CPython names every task Task-N first, then renames it: a named task uses a number.
    t->name = Value::small_int(++g_task_counter); // formatted by task_name
    if (!name.is_none() && !name.is_null()) {
        t->name = to_str(name);
        if (t->name.is_null()) return nullptr;
    }
    t->task_index = static_cast<int32_t>(loop->tasks.size());
    loop->tasks.push_back(Value::object(t));
    schedule_step(t);
    return t;
}

void task_step(Task* task, Value thrown) {
    if (future_done(task)) return;
    if (task->must_cancel) {
        if (thrown.is_null() || !isinstance(thrown, types.CancelledError)) thrown = make_cancelled_error(task);
        task->must_cancel = false;
    }
    task->waiter = Value::null();
    EventLoop* loop = task->loop;
    Value previous = loop->current_task;
    loop->current_task = Value::object(task);
    Value result;
    SendResult status = resume_coro(task->coro, thrown, &result);
    loop->current_task = previous;

    if (status == SendResult::Returned) {
        if (task->must_cancel) {
            task->must_cancel = false;
            future_cancel(task, task->cancel_message());
        } else {
            future_set_result(task, result);
        }
        forget_pending_task(task);
        return;
    }
    if (status == SendResult::Error) {
        Value e = take_pending();
        if (isinstance(e, types.CancelledError)) {
            task->cancelled_exc() = e;
            future_cancel(task, Value::none());
        } else {
            future_set_exception(task, e);
            if (isinstance(e, exc.KeyboardInterrupt) || isinstance(e, exc.SystemExit)) {
                forget_pending_task(task);
                set_pending(e);  // stops the loop, as CPython re-raises these
                return;
            }
        }
        forget_pending_task(task);
        return;
    }
    // The coroutine yielded.
    if (is_future(result) || is_sleep_future(result)) {
        Future* waited = as<Future>(result);
        if (waited->loop != loop) {
            step_with_error(task, "Task " + repr_text(Value::object(task)) + " got Future " +
                                      repr_text(result) + " attached to a different loop");
        } else if (waited->blocking) {
            if (waited == task) {
                step_with_error(task, "Task cannot await on itself: " + repr_text(Value::object(task)));
            } else {
                waited->blocking = false;
                future_add_callback(waited, {HandleKind::TaskWakeup, Value::object(task)});
                task->waiter = result;
                if (task->must_cancel) {
                    int r = cancel_waiter(result, task->cancel_message());
                    if (r < 0) clear_pending();
                    if (r > 0) task->must_cancel = false;
                }
            }
        } else {
            step_with_error(task, "yield was used instead of yield from in task " +
                                      repr_text(Value::object(task)) + " with " + repr_text(result));
        }
    } else if (result.is_none()) {
        schedule_step(task);
    } else {
        step_with_error(task, "Task got bad yield: " + repr_text(result));
    }
}

void task_wakeup(Task* task, Future* waited) {
    Value r = future_result(waited);
    if (r.is_null()) {
        task_step(task, take_pending());
        return;
    }
    task_step(task, Value::null());
}

void setup_task_type() {
    types.task = make_builtin_type("Task", Layout::Other, types.future);
    types.task->module = "_asyncio";
    Type* t = types.task;
    t->repr = task_repr;
    t->trace = task_trace;
    t->new_instance = task_new;
    static const MethodDef methods[] = {
        {"get_name", m_get_name}, {"set_name", m_set_name},   {"get_coro", m_get_coro},
        {"cancel", m_task_cancel}, {"cancelling", m_cancelling}, {"uncancel", m_uncancel},
        {nullptr, nullptr},
    };
    add_methods(t, methods);
    inherit_slots(t);
}

}  // namespace apy::aio
