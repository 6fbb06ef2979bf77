// Generators and coroutines. Resuming one runs its frame in a nested run();
// when the frame yields, run() returns and nothing of it stays on the C++ stack.
// `await` and `yield from` of one run it in the awaiter's run() (enter_delegate).
#include "vm/generator.h"

#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/interp.h"
#include "vm/traceback.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

namespace apy::vm {

using namespace rt;

namespace {
bool shutting_down = false;
}

void begin_shutdown() { shutting_down = true; }

void warn_never_awaited(Generator* coroutine, Code* code, int line) {
    if (coroutine->warned) return;
    coroutine->warned = true;
    warn_never_awaited(std::string(coroutine->qualname->view()).c_str(), code, line);
}

void warn_if_unawaited(Object* native_coroutine) {
    if (const char* qualname = native_coroutine->type->take_unawaited(native_coroutine))
        warn_never_awaited(qualname, nullptr, 0);
}

void warn_never_awaited(const char* qualname, Code* code, int line) {
    std::string text;
    if (code) {
        std::string path(code->filename->view());
        text = path + ":" + std::to_string(line) + ": RuntimeWarning: coroutine '" + qualname +
               "' was never awaited\n";
        std::string source = source_line(path, line);
        if (!source.empty()) text += "  " + source + "\n";
    } else {
        text =
            std::string("sys:1: RuntimeWarning: coroutine '") + qualname + "' was never awaited\n";
    }
    if (!shutting_down)
        text += "RuntimeWarning: Enable tracemalloc to get the object allocation traceback\n";
    std::fflush(stdout);
    std::fwrite(text.data(), 1, text.size(), stderr);
}

Value delegate_of(Frame* f) {
    if (f->pc < 2) return Value::null();
    const auto& code = f->code->instructions;
    if (instr_op(code[f->pc - 1]) != Op::YIELD_VALUE || instr_op(code[f->pc - 2]) != Op::SEND)
        return Value::null();
    return f->slots[f->sp - 1];
}

namespace {

// An embedded frame's memory stays in the generator, unused: its slots are no longer traced.
// A frame from the free list goes back there.
void finish(Generator* gen) {
    Frame* f = gen->frame;
    if (!f) return;
    if (gen->frame_outside) {
        gen->outside_code() = f->code;
        f->owner = FrameOwner::None;
        release_frame(f);
    }
    gen->frame = nullptr;
    // Nothing left for gen_needs_finalize and gen_destroy (async generators have more).
    if (gen->type == types.coroutine_ || gen->type == types.generator_) gen->set_gc_inert();
}

void stop_iteration_to_runtime_error(Generator* gen, Value resumer_handled) {
    stop_iteration_to_runtime_error(gen->code(), gen->type == types.coroutine_, resumer_handled);
}

} // namespace

void stop_iteration_to_runtime_error(Code* code, bool coroutine, Value resumer_handled) {
    bool async_gen = code->flags & kAsyncGenerator;
    const char* message;
    if (pending_is(exc.StopIteration))
        message = coroutine   ? "coroutine raised StopIteration"
                  : async_gen ? "async generator raised StopIteration"
                              : "generator raised StopIteration";
    else if (async_gen && pending_is(exc.StopAsyncIteration))
        message = "async generator raised StopAsyncIteration";
    else
        return;
    Value stop = take_pending();
    set_handled_exception(stop);
    raise(exc.RuntimeError, message);
    // As `raise RuntimeError(...) from stop` (contextlib checks __cause__).
    as<ExceptionObject>(pending())->cause = stop;
    as<ExceptionObject>(pending())->suppress_context = true;
    set_handled_exception(resumer_handled);
}

void end_delegate(Generator* gen) {
    Value awaiter_handled = gen->saved_handled;
    gen->saved_handled = Value::null();
    set_handled_exception(awaiter_handled);
    gen->running = false;
    gen->frame->back = nullptr;
    finish(gen);
    if (has_pending()) stop_iteration_to_runtime_error(gen, awaiter_handled);
    if (gen->recyclable) recycle_coroutine(gen);
}

SpareCoroutines g_spare_coroutines;

namespace {

void mark_spare_coroutines(Tracer& tracer) {
    for (uint32_t i = 0; i < g_spare_coroutines.count; ++i)
        tracer.mark(g_spare_coroutines.cells[i]);
}

} // namespace

SendResult generator_resume(Generator* gen, Value value, Value thrown, Value* out) {
    bool coroutine = gen->type == types.coroutine_;
    if (gen->running) {
        raise(exc.ValueError, coroutine ? "coroutine already executing" : "generator already executing");
        return SendResult::Error;
    }
    if (!gen->frame) {
        if (!thrown.is_null()) {
            raise_value(thrown);
            return SendResult::Error;
        }
        if (coroutine) {
            raise(exc.RuntimeError, "cannot reuse already awaited coroutine");
            return SendResult::Error;
        }
        *out = Value::none();
        return SendResult::Returned;  // exhausted: StopIteration with no value
    }
    Frame* f = gen->frame;
    if (!gen->started && thrown.is_null() && !value.is_none()) {
        raise_format(exc.TypeError, "can't send non-None value to a just-started %s",
                     coroutine ? "coroutine" : "generator");
        return SendResult::Error;
    }
    if (!gen->started && !thrown.is_null()) {
        // Thrown in before the first instruction: the generator just finishes with it.
        finish(gen);
        raise_value(thrown);
        return SendResult::Error;
    }
    // Suspended in `await x` / `yield from x`: the exception goes to x first (PEP 380).
    bool resume_without_value = false;
    if (!thrown.is_null()) {
        Value receiver = delegate_of(f);
        if (!receiver.is_null()) {
            Value sub_out;
            SendResult sub;
            gen->running = true;
            sub = throw_to(receiver, thrown, &sub_out);
            gen->running = false;
            if (sub == SendResult::Yielded) {
                *out = sub_out;
                return SendResult::Yielded;
            }
            if (sub == SendResult::Returned) {
                // The delegate finished: continue after the SEND loop with its value.
                Instr send = f->code->instructions[f->pc - 2];
                f->slots[f->sp - 1] = sub_out;
                f->pc = static_cast<int32_t>(instr_arg(send));
                thrown = Value::null();
                resume_without_value = true;
            } else {
                thrown = take_pending();
            }
        }
    }
    gen->started = true;
    gen->running = true;
    f->back = current_frame();
    f->is_entry = true;
    // Outside its own handlers the frame sees the exception its resumer handles, as
    // CPython's chain of exception states gives sys.exc_info().
    Value saved_handled = handled_exception();
    bool own_handled = !gen->saved_handled.is_null();
    // While the frame runs with its own, the resumer's handled exception may be held only
    // here (`except E:` keeps it nowhere else): a root, or a collection frees it.
    std::optional<Root> keep_saved_handled;
    if (own_handled) keep_saved_handled.emplace(saved_handled);
    set_handled_exception(own_handled ? gen->saved_handled : saved_handled);
    ExecStatus status;
    Value result;
    if (!thrown.is_null()) {
        // Throwing in: resume at the suspended instruction with the exception raised there.
        status = run(f, &result, thrown);
    } else {
        if (!resume_without_value) f->slots[f->sp++] = value;
        status = run(f, &result);
    }
    gen->running = false;
    Value handled_now = handled_exception();
    gen->saved_handled = !own_handled && handled_now.is(saved_handled) ? Value::null() : handled_now;
    set_handled_exception(saved_handled);
    f->back = nullptr;
    if (status == ExecStatus::Yielded) {
        *out = result;
        return SendResult::Yielded;
    }
    gen->saved_handled = Value::null();
    finish(gen);
    if (status == ExecStatus::Returned) {
        *out = result;
        return SendResult::Returned;
    }
    stop_iteration_to_runtime_error(gen, saved_handled);
    return SendResult::Error;
}

namespace {

// A StopIteration (pending) ends the receiver with its value; anything else is an error.
SendResult returned_or_error(Value* out) {
    if (!pending_is(exc.StopIteration)) return SendResult::Error;
    Tuple* args = as<ExceptionObject>(take_pending())->args;
    *out = args->size > 0 ? args->items[0] : Value::none();
    return SendResult::Returned;
}

} // namespace

SendResult send_to(Value receiver, Value in, Value* out) {
    if (is_generator(receiver) || is_coroutine(receiver))
        return generator_resume(as<Generator>(receiver), in, Value::null(), out);
    Type* type = type_of(receiver);
    if (type->send) return type->send(receiver, in, out);
    if (in.is_none() && type->next) {
        // An apy __next__ is called as a method: the next slot reports exhaustion without
        // the StopIteration, whose value is the delegation's result.
        static Str* const kNext = intern("__next__");
        if (is_layout(lookup_in_type(type, kNext), Layout::Function)) {
            *out = call_method(receiver, kNext, nullptr, 0);
            return out->is_null() ? returned_or_error(out) : SendResult::Yielded;
        }
        *out = type->next(receiver);
        if (!out->is_null()) return SendResult::Yielded;
        if (!has_pending()) {
            *out = Value::none();
            return SendResult::Returned;
        }
        return returned_or_error(out);
    }
    static Str* const kSend = intern("send");
    *out = call_method(receiver, kSend, &in, 1);
    return out->is_null() ? returned_or_error(out) : SendResult::Yielded;
}

SendResult throw_to(Value receiver, Value exception, Value* out) {
    if (is_generator(receiver) || is_coroutine(receiver))
        return generator_resume(as<Generator>(receiver), Value::none(), exception, out);
    Type* type = type_of(receiver);
    if (type->throw_in) return type->throw_in(receiver, exception, out);
    static Str* const kThrow = intern("throw");
    Value method = getattr_optional(receiver, kThrow);
    if (method.is_null()) {
        if (!has_pending()) raise_value(exception);
        return SendResult::Error;
    }
    Root keep(method);
    *out = call(method, &exception, 1, nullptr);
    return out->is_null() ? returned_or_error(out) : SendResult::Yielded;
}

}  // namespace apy::vm

namespace apy::vm {

Value exception_to_throw(Value type_or_exception, Value value) {
    Value thrown = type_or_exception;
    if (is_layout(thrown, Layout::Type)) {
        if (!is_subtype(as<Type>(thrown), exc.BaseException))
            return raise(
                exc.TypeError,
                "exceptions must be classes or instances deriving from BaseException, not type");
        return value.is_none() ? call0(thrown) : call1(thrown, value);
    }
    if (!isinstance(thrown, exc.BaseException)) {
        return raise_format(
            exc.TypeError,
            "exceptions must be classes or instances deriving from BaseException, not %s",
            type_name(thrown).c_str());
    }
    return thrown;
}

namespace {

Generator* as_gen(Value v) { return as<Generator>(v); }

// StopIteration(value) for a generator that returned [value] to a Python-level caller.
Value stop_iteration(Value value) {
    if (value.is_none()) return raise_value(make_exception(exc.StopIteration, make_tuple(0)));
    return raise_with_arg(exc.StopIteration, value);
}

SendResult gen_send_slot(Value self, Value in, Value* out) {
    return generator_resume(as_gen(self), in, Value::null(), out);
}

Value gen_next(Value self) {
    Value out;
    SendResult r = generator_resume(as_gen(self), Value::none(), Value::null(), &out);
    return r == SendResult::Yielded ? out : Value::null();
}

Value gen_iter(Value self) { return self; }

Value gen_send_method(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "send() takes exactly one argument");
    Value out;
    SendResult r = generator_resume(as_gen(args[0]), args[1], Value::null(), &out);
    if (r == SendResult::Yielded) return out;
    if (r == SendResult::Returned) return stop_iteration(out);
    return Value::null();
}

Value gen_next_method(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "__next__() takes no arguments");
    Value out;
    SendResult r = generator_resume(as_gen(args[0]), Value::none(), Value::null(), &out);
    if (r == SendResult::Yielded) return out;
    if (r == SendResult::Returned) return stop_iteration(out);
    return Value::null();
}

Value gen_throw_method(Value* args, int nargs, Tuple*) {
    if (nargs < 2 || nargs > 4) return raise(exc.TypeError, "throw expected at least 1 argument, got 0");
    Value thrown = exception_to_throw(args[1], nargs >= 3 ? args[2] : Value::none());
    if (thrown.is_null()) return thrown;
    Value out;
    SendResult r = generator_resume(as_gen(args[0]), Value::none(), thrown, &out);
    if (r == SendResult::Yielded) return out;
    if (r == SendResult::Returned) return stop_iteration(out);
    return Value::null();
}

Value gen_close_method(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "close() takes no arguments");
    Generator* gen = as_gen(args[0]);
    if (!gen->frame) return Value::none();
    if (!gen->started) {
        finish(gen);
        return Value::none();
    }
    Value out;
    SendResult r = generator_resume(gen, Value::none(), make_exception(exc.GeneratorExit, make_tuple(0)), &out);
    if (r == SendResult::Yielded) {
        return raise(exc.RuntimeError, gen->type == types.coroutine_ ? "coroutine ignored GeneratorExit"
                                                                      : "generator ignored GeneratorExit");
    }
    if (r == SendResult::Error) {
        if (pending_is(exc.GeneratorExit) || pending_is(exc.StopIteration)) {
            clear_pending();
            return Value::none();
        }
        return Value::null();
    }
    return Value::none();
}

std::string address(const void* p) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "0x%012llx",
                  static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(p)));
    return buffer;
}

Value gen_repr(Value self) {
    Generator* gen = as_gen(self);
    return str_value("<" + gen->type->name + " object " + std::string(gen->qualname->view()) +
                     " at " + address(gen) + ">");
}

// ------------------------------------------------- frame objects of generators

// The frame object of a generator, coroutine or async generator (gi_frame, cr_frame,
// ag_frame): a view of the frame its generator owns, while it has one.
struct FrameView : Object {
    Generator* gen;
};

Value frame_view_getattr(Value self, Str* name) {
    Generator* gen = as<FrameView>(self)->gen;
    Frame* f = gen->frame;
    std::string_view n = name->view();
    if (n == "f_code") return Value::object(gen->code());
    if (n == "f_lineno")
        return make_int(f && gen->started ? line_of(gen->code(), f->pc - 1)
                                          : gen->code()->firstlineno);
    if (n == "f_back") return Value::none();
    if (n == "f_globals" && f) return Value::object(f->globals);
    if (n == "f_builtins" && f) return Value::object(f->builtins);
    if (n == "f_locals") {
        Dict* locals = make_dict();
        if (!f) return Value::object(locals);
        const Code* code = gen->code();
        for (int i = 0; i < code->nlocals(); ++i)
            if (!f->slots[i].is_null()) dict_set_str(locals, code->varnames[i], f->slots[i]);
        for (int i = 0; i < code->nderefs(); ++i) {
            Value cell = f->derefs()[i];
            Str* cell_name = i < static_cast<int>(code->cellvars.size())
                                 ? code->cellvars[i]
                                 : code->freevars[i - code->cellvars.size()];
            if (is_layout(cell, Layout::Cell) && !as<Cell>(cell)->value.is_null())
                dict_set_str(locals, cell_name, as<Cell>(cell)->value);
        }
        return Value::object(locals);
    }
    return generic_getattr(self, name);
}

Value frame_view_repr(Value self) {
    Generator* gen = as<FrameView>(self)->gen;
    Value line = frame_view_getattr(self, intern("f_lineno"));
    return str_value("<frame at " + address(as<FrameView>(self)) + ", file '" +
                     std::string(gen->code()->filename->view()) + "', line " +
                     std::to_string(line.as_small_int()) + ", code " +
                     std::string(gen->code()->name->view()) + ">");
}

void frame_view_trace(Object* self, Tracer& tracer) {
    tracer.mark(static_cast<FrameView*>(self)->gen);
}

// gi_code, gi_frame, ... of generators; cr_* of coroutines; ag_* of async generators.
Value gen_getattr(Value self, Str* name) {
    Generator* gen = as_gen(self);
    std::string_view n = name->view();
    if (n == "__name__") return Value::object(gen->code()->name);
    if (n == "__qualname__") return Value::object(gen->qualname);
    bool is_gen = gen->type == types.generator_;
    bool is_coro = gen->type == types.coroutine_;
    std::string_view prefix = is_gen ? "gi_" : is_coro ? "cr_" : "ag_";
    if (n.substr(0, 3) != prefix) return generic_getattr(self, name);
    std::string_view field = n.substr(3);
    if (field == "code") return Value::object(gen->code());
    if (field == "running") return Value::boolean(gen->running);
    if (field == "frame") {
        if (!gen->frame) return Value::none();
        auto* view = heap().make<FrameView>(types.frame_);
        view->gen = gen;
        return Value::object(view);
    }
    if (field == (is_gen ? "yieldfrom" : "await")) {
        Value delegate =
            gen->frame && gen->started && !gen->running ? delegate_of(gen->frame) : Value::null();
        if (is_coroutine(delegate)) as<Generator>(delegate)->recyclable = false; // seen now
        return delegate.is_null() ? Value::none() : delegate;
    }
    if (field == "suspended" && (is_gen || is_coro)) // async generators have none in 3.11
        return Value::boolean(gen->frame && gen->started && !gen->running);
    return generic_getattr(self, name);
}

void gen_trace(Object* self, Tracer& tracer) {
    auto* gen = static_cast<Generator*>(self);
    if (gen->frame) trace_frame(gen->frame, tracer);
    tracer.mark(gen->code()); // from the frame, which keeps its code once finished
    tracer.mark(gen->qualname);
    tracer.mark(gen->saved_handled);
}

// A suspended generator or coroutine dropped inside try/with is closed, as CPython's
// finalizer does, so that its finally blocks and __exit__ methods run.
bool gen_needs_finalize(Object* self) {
    auto* gen = static_cast<Generator*>(self);
    return !gen->finalized && gen->started && !gen->running && gen->frame &&
           gen->frame->block_count > 0;
}

void gen_finalize(Object* self) {
    auto* gen = static_cast<Generator*>(self);
    gen->finalized = true;
    Value self_value = Value::object(gen);
    if (gen_close_method(&self_value, 1, nullptr).is_null()) {
        Value e = take_pending();
        bool ok;
        std::string text =
            "Exception ignored in: " + repr_string(self_value, &ok) + "\n" + format_exception(e);
        if (!ok) clear_pending();
        std::fflush(stdout);
        std::fwrite(text.data(), 1, text.size(), stderr);
    }
}

void gen_destroy(Object* self) {
    auto* gen = static_cast<Generator*>(self);
    // A closed coroutine has no frame left: close() before the first await is no mistake.
    if (gen->type == types.coroutine_ && !gen->started && gen->frame)
        warn_never_awaited(gen, nullptr, 0);
    // Freed directly, not put on a free list: its code may be dying in the same collection.
    if (gen->frame_outside && gen->frame) free_frame_memory(gen->frame);
    gen->frame = nullptr;
}

}  // namespace

}  // namespace apy::vm

namespace apy::rt {

void setup_generator_types() {
    using namespace vm;
    static const MethodDef gen_methods[] = {{"send", gen_send_method},
                                            {"throw", gen_throw_method},
                                            {"close", gen_close_method},
                                            {"__next__", gen_next_method},
                                            {nullptr, nullptr}};
    static const MethodDef coro_methods[] = {{"send", gen_send_method},
                                             {"throw", gen_throw_method},
                                             {"close", gen_close_method},
                                             {nullptr, nullptr}};
    Type* gen = types.generator_;
    gen->iter = gen_iter;
    gen->next = gen_next;
    gen->send = gen_send_slot;
    gen->repr = gen_repr;
    gen->getattr = gen_getattr;
    gen->trace = gen_trace;
    gen->destroy = gen_destroy;
    gen->needs_finalize = gen_needs_finalize;
    gen->finalize = gen_finalize;
    add_methods(gen, gen_methods);
    Type* coro = types.coroutine_;
    coro->send = gen_send_slot;
    coro->repr = gen_repr;
    coro->getattr = gen_getattr;
    coro->trace = gen_trace;
    coro->destroy = gen_destroy;
    coro->needs_finalize = gen_needs_finalize;
    coro->finalize = gen_finalize;
    heap().add_root_provider(mark_spare_coroutines);
    add_methods(coro, coro_methods);
    types.frame_->getattr = frame_view_getattr;
    types.frame_->repr = frame_view_repr;
    types.frame_->trace = frame_view_trace;
    setup_async_generator_types(gen);
}

}  // namespace apy::rt
