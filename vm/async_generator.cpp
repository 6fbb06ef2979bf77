// Async generators (`async def` with `yield`): __anext__(), asend(), athrow()
// and aclose() return awaitables that drive the generator's frame. The frame
// yields two kinds of values: its items (YIELD_VALUE 1), which complete the
// awaitable, and whatever its own awaits pass up (futures), which the
// awaitable passes on to the task.
#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/generator.h"
#include "vm/interp.h"

namespace apy::rt {
void inherit_slots(Type* type);
}

namespace apy::vm {

using namespace rt;

namespace {

Type* g_async_generator = nullptr;
Type* g_awaitable = nullptr;
void (*g_first_iter_hook)(Generator*) = nullptr;

enum class AwaitKind : uint8_t { Send, Throw, Close };
enum class AwaitState : uint8_t { Init, Iter, Closed };

struct AsyncGenAwaitable : Object {
    Generator* agen = nullptr;
    Value value = Value::none();      // asend's value
    Value thrown = Value::null();     // athrow's exception
    AwaitKind kind = AwaitKind::Send;
    AwaitState state = AwaitState::Init;
};

// Whether the frame of [gen] last stopped at an item yield.
bool yielded_item(Generator* gen) {
    Frame* f = gen->frame;
    return f && instr_arg(f->code->instructions[f->pc - 1]) == 1;
}

SendResult finish_with(AsyncGenAwaitable* a, SendResult r, Value result, Value* out) {
    Generator* agen = a->agen;
    if (r == SendResult::Yielded) {
        if (!yielded_item(agen)) {
            *out = result;  // a future on its way to the task
            return SendResult::Yielded;
        }
        a->state = AwaitState::Closed;
        if (a->kind == AwaitKind::Close) {
            raise(exc.RuntimeError, "async generator ignored GeneratorExit");
            return SendResult::Error;
        }
        *out = result;  // the item: the awaitable returns it
        return SendResult::Returned;
    }
    a->state = AwaitState::Closed;
    if (r == SendResult::Returned) {
        if (a->kind == AwaitKind::Close) {
            *out = Value::none();
            return SendResult::Returned;
        }
        raise_value(make_exception(exc.StopAsyncIteration, make_tuple(0)));
        return SendResult::Error;
    }
    if (a->kind == AwaitKind::Close && (pending_is(exc.GeneratorExit) || pending_is(exc.StopAsyncIteration))) {
        clear_pending();
        *out = Value::none();
        return SendResult::Returned;
    }
    return SendResult::Error;
}

SendResult awaitable_send(Value self, Value in, Value* out) {
    auto* a = as<AsyncGenAwaitable>(self);
    if (a->state == AwaitState::Closed) {
        raise(exc.RuntimeError, a->kind == AwaitKind::Send
                                    ? "cannot reuse already awaited __anext__()/asend()"
                                    : "cannot reuse already awaited aclose()/athrow()");
        return SendResult::Error;
    }
    Generator* agen = a->agen;
    Value result;
    SendResult r;
    if (a->state == AwaitState::Init) {
        a->state = AwaitState::Iter;
        if (a->kind == AwaitKind::Send) {
            r = generator_resume(agen, in.is_none() ? a->value : in, Value::null(), &result);
        } else {
            if (!agen->frame || (a->kind == AwaitKind::Close && !agen->started)) {
                // Nothing runs: a finished or never-started generator just ends.
                if (agen->frame) {
                    generator_resume(agen, Value::none(), a->thrown, &result);
                    clear_pending();
                }
                a->state = AwaitState::Closed;
                if (a->kind == AwaitKind::Close) {
                    *out = Value::none();
                    return SendResult::Returned;
                }
                raise_value(a->thrown);
                return SendResult::Error;
            }
            r = generator_resume(agen, Value::none(), a->thrown, &result);
        }
    } else {
        r = generator_resume(agen, in, Value::null(), &result);
    }
    return finish_with(a, r, result, out);
}

SendResult awaitable_throw(Value self, Value exception, Value* out) {
    auto* a = as<AsyncGenAwaitable>(self);
    if (a->state == AwaitState::Closed) {
        raise_value(exception);
        return SendResult::Error;
    }
    a->state = AwaitState::Iter;
    Value result;
    SendResult r = generator_resume(a->agen, Value::none(), exception, &result);
    return finish_with(a, r, result, out);
}

void awaitable_trace(Object* self, Tracer& tracer) {
    auto* a = static_cast<AsyncGenAwaitable*>(self);
    tracer.mark(a->agen);
    tracer.mark(a->value);
    tracer.mark(a->thrown);
}

Value make_awaitable(Value agen, AwaitKind kind, Value value, Value thrown) {
    Generator* gen = as<Generator>(agen);
    if (!gen->first_iter_seen) {
        gen->first_iter_seen = true;
        if (g_first_iter_hook) g_first_iter_hook(gen);
    }
    auto* a = heap().make<AsyncGenAwaitable>(g_awaitable);
    a->agen = gen;
    a->kind = kind;
    a->value = value;
    a->thrown = thrown;
    return Value::object(a);
}

Value agen_aiter(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "__aiter__() takes no arguments");
    return args[0];
}

Value agen_anext(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "__anext__() takes no arguments");
    return make_awaitable(args[0], AwaitKind::Send, Value::none(), Value::null());
}

Value agen_asend(Value* args, int nargs, Tuple*) {
    if (nargs != 2) return raise(exc.TypeError, "asend() takes exactly one argument");
    return make_awaitable(args[0], AwaitKind::Send, args[1], Value::null());
}

Value agen_athrow(Value* args, int nargs, Tuple*) {
    if (nargs < 2) return raise(exc.TypeError, "athrow expected at least 1 argument, got 0");
    Value thrown = args[1];
    if (is_layout(thrown, Layout::Type)) {
        thrown = nargs >= 3 && !args[2].is_none() ? call1(thrown, args[2]) : call0(thrown);
        if (thrown.is_null()) return thrown;
    }
    if (!isinstance(thrown, exc.BaseException))
        return raise_format(exc.TypeError,
                            "exceptions must be classes or instances deriving from BaseException, not %s",
                            type_name(thrown).c_str());
    return make_awaitable(args[0], AwaitKind::Throw, Value::none(), thrown);
}

Value agen_aclose(Value* args, int nargs, Tuple*) {
    if (nargs != 1) return raise(exc.TypeError, "aclose() takes no arguments");
    return make_awaitable(args[0], AwaitKind::Close, Value::none(),
                          make_exception(exc.GeneratorExit, make_tuple(0)));
}

// ---- aiter() and anext()

Type* g_anext_awaitable = nullptr;

// What anext(iterator, default) returns: awaits iterator.__anext__()'s result and turns
// its StopAsyncIteration into the default as the await's value.
struct AnextAwaitable : Object {
    Value wrapped; // __anext__()'s result
    Value default_value;
    Value inner = Value::null(); // what awaiting [wrapped] sends to, once started
};

SendResult anext_finish(AnextAwaitable* a, SendResult r, Value* out) {
    if (r == SendResult::Error && pending_is(exc.StopAsyncIteration)) {
        clear_pending();
        *out = a->default_value;
        return SendResult::Returned;
    }
    return r;
}

bool anext_start(AnextAwaitable* a) {
    if (!a->inner.is_null()) return true;
    a->inner = awaitable_of(a->wrapped, 0);
    return !a->inner.is_null();
}

SendResult anext_send(Value self, Value in, Value* out) {
    auto* a = as<AnextAwaitable>(self);
    if (!anext_start(a)) return SendResult::Error;
    return anext_finish(a, send_to(a->inner, in, out), out);
}

SendResult anext_throw(Value self, Value exception, Value* out) {
    auto* a = as<AnextAwaitable>(self);
    if (!anext_start(a)) return SendResult::Error;
    return anext_finish(a, throw_to(a->inner, exception, out), out);
}

void anext_trace(Object* self, Tracer& tracer) {
    auto* a = static_cast<AnextAwaitable*>(self);
    tracer.mark(a->wrapped);
    tracer.mark(a->default_value);
    tracer.mark(a->inner);
}

// type(obj).<name>(obj), or TypeError "'T' object is not <what>" when the type has none.
Value call_special(Value obj, const char* name, const char* what) {
    Value method = lookup_in_type(type_of(obj), intern(name));
    if (method.is_null())
        return raise_format(exc.TypeError, "'%s' object is not %s", type_name(obj).c_str(), what);
    return call1(method, obj);
}

Value builtin_aiter(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("aiter", kwnames) || !check_arg_count("aiter", nargs, 1, 1))
        return Value::null();
    Value it = call_special(args[0], "__aiter__", "an async iterable");
    if (it.is_null()) return it;
    if (lookup_in_type(type_of(it), intern("__anext__")).is_null())
        return raise_format(exc.TypeError, "aiter() returned not an async iterator of type '%s'",
                            type_name(it).c_str());
    return it;
}

Value builtin_anext(Value* args, int nargs, Tuple* kwnames) {
    if (!check_no_kwargs("anext", kwnames) || !check_arg_count("anext", nargs, 1, 2))
        return Value::null();
    Value awaitable = call_special(args[0], "__anext__", "an async iterator");
    if (awaitable.is_null() || nargs == 1) return awaitable;
    Root keep(awaitable);
    auto* a = heap().make<AnextAwaitable>(g_anext_awaitable);
    a->wrapped = awaitable;
    a->default_value = args[1];
    return Value::object(a);
}

}  // namespace

Type* make_native_awaitable_type(const char* name, SendResult (*send)(Value, Value, Value*),
                                 SendResult (*throw_in)(Value, Value, Value*),
                                 void (*trace)(Object*, Tracer&)) {
    Type* t = make_builtin_type(name, Layout::Other);
    t->flags |= kTypeNativeAwaitable;
    t->send = send;
    t->throw_in = throw_in;
    t->trace = trace;
    inherit_slots(t);
    return t;
}

Type* async_generator_type() { return g_async_generator; }

bool is_async_generator_awaitable(Value v) { return v.is_object() && type_of(v) == g_awaitable; }

void set_async_generator_first_iter_hook(void (*hook)(Generator*)) { g_first_iter_hook = hook; }

void setup_async_generator_types(Type* generator_type) {
    g_async_generator = make_builtin_type("async_generator", Layout::Generator);
    Type* t = g_async_generator;
    t->repr = generator_type->repr;
    t->getattr = generator_type->getattr;
    t->trace = generator_type->trace;
    t->destroy = generator_type->destroy;
    static const MethodDef methods[] = {
        {"__aiter__", agen_aiter}, {"__anext__", agen_anext}, {"asend", agen_asend},
        {"athrow", agen_athrow},   {"aclose", agen_aclose},   {nullptr, nullptr},
    };
    add_methods(t, methods);
    inherit_slots(t);

    g_awaitable = make_native_awaitable_type("async_generator_asend", awaitable_send,
                                             awaitable_throw, awaitable_trace);
    g_anext_awaitable =
        make_native_awaitable_type("anext_awaitable", anext_send, anext_throw, anext_trace);
}

void register_async_iteration_builtins() {
    dict_set_str(builtins_dict(), "aiter", Value::object(make_builtin("aiter", builtin_aiter)));
    dict_set_str(builtins_dict(), "anext", Value::object(make_builtin("anext", builtin_anext)));
}

}  // namespace apy::vm
