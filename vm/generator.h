// Generators and coroutines: objects that own a suspended frame.
#pragma once

#include "runtime/errors.h"
#include "runtime/objects.h"
#include "vm/frame.h"

namespace apy::vm {

// A generator's frame is embedded in its allocation, right after the Generator: one
// allocation per call of a generator function, freed with the generator.
struct Generator : rt::Object {
    rt::Str* qualname = nullptr;
    bool running = false;
    bool started = false;
    bool finished = false; // returned or raised: its frame is done with
    bool warned = false;  // "was never awaited" already reported
    bool first_iter_seen = false;  // async generators: the first-iteration hook ran
    bool finalized = false;        // closed by the collector once already
    // The exception handled when the generator last suspended (restored on resume). While it
    // runs as a delegate in its awaiter's dispatch loop (see enter_delegate): the awaiter's.
    rt::Value saved_handled = rt::Value::null();

    Frame* embedded_frame() { return reinterpret_cast<Frame*>(this + 1); }
    // Its frame; null once finished.
    Frame* frame() { return finished ? nullptr : embedded_frame(); }
    Code* code() { return embedded_frame()->code; } // __name__ is its name
};

inline Generator* Frame::generator() {
    return in_generator ? reinterpret_cast<Generator*>(this) - 1 : nullptr;
}


// The async_generator type (vm/async_generator.cpp), made by setup_async_generator_types.
rt::Type* async_generator_type();

// A generator of [code]'s kind (generator, coroutine or async generator, by its flags), not
// yet started, whose embedded frame has only its header set (see init_frame).
[[gnu::always_inline]] inline Generator* allocate_generator(Code* code, rt::Function* function,
                                                            rt::Dict* globals, rt::Dict* builtins,
                                                            rt::Dict* locals) {
    rt::Type* type = (code->flags & kCoroutine)        ? rt::types.coroutine_
                     : (code->flags & kAsyncGenerator) ? async_generator_type()
                                                       : rt::types.generator_;
    auto* gen = rt::heap().make_sized<Generator>(type, frame_size(code));
    Frame* frame = gen->embedded_frame();
    init_frame(frame, code, function, globals, builtins, locals);
    frame->in_generator = true;
    frame->pc = 1; // past RETURN_GENERATOR: the first resume pushes the sent None for POP_TOP
    gen->qualname = function ? function->qualname : code->qualname;
    return gen;
}

// Makes a generator whose frame is a copy of [frame]; [frame] goes back to its code's free
// list.
Generator* make_generator(Frame* frame);

// The same for calling [function], whose code is simple_call, with its argcount positional
// arguments [args] (see new_simple_frame), without a frame to copy.
[[gnu::always_inline]] inline Generator* make_simple_generator(rt::Function* function,
                                                               const rt::Value* args) {
    Generator* gen = allocate_generator(function->code, function, function->globals,
                                        function->builtins, nullptr);
    bind_simple_args(gen->embedded_frame(), function, args);
    return gen;
}

// Resumes [gen] sending [value] in (or throwing [thrown] when not null).
rt::SendResult generator_resume(Generator* gen, rt::Value value, rt::Value thrown,
                                rt::Value* out);

// `await gen` / `yield from gen` without a nested run(): SEND pushes the delegate's frame
// onto its awaiter's (frame->back = awaiter, not an entry frame) and the same dispatch
// loop runs it. can_enter_delegate says whether [gen] can start that way with [sent] (else
// generator_resume handles it, with its errors); enter_delegate marks it running and pushes
// [sent]. When the frame yields (suspend_delegate) or ends (end_delegate, exception pending
// or not) the awaiter's loop goes on; the generator's state is then as after a
// generator_resume.
inline bool can_enter_delegate(Generator* gen, rt::Value sent) {
    return gen->frame() && !gen->running && gen->saved_handled.is_null() &&
           (gen->started || sent.is_none());
}
inline void enter_delegate(Generator* gen, Frame* awaiter, rt::Value sent) {
    Frame* f = gen->frame();
    gen->started = true;
    gen->running = true;
    gen->saved_handled = rt::handled_exception(); // the awaiter's: see Generator::saved_handled
    f->back = awaiter;
    f->is_entry = false;
    f->slots[f->sp++] = sent;
}
inline void suspend_delegate(Generator* gen) {
    rt::Value awaiter_handled = gen->saved_handled;
    rt::Value handled_now = rt::handled_exception();
    gen->saved_handled = handled_now.is(awaiter_handled) ? rt::Value::null() : handled_now;
    rt::set_handled_exception(awaiter_handled);
    gen->running = false;
    gen->frame()->back = nullptr;
}
void end_delegate(Generator* gen);

// Reports a coroutine dropped before it ever ran, as CPython's RuntimeWarning, with the
// location [code]:[line] (null code: at shutdown or collection, "sys:1").
void warn_never_awaited(Generator* coroutine, Code* code, int line);
// From here on, collected coroutines are reported as at CPython's interpreter exit (by C
// code, without the tracemalloc hint).
void begin_shutdown();

// Called with an async generator the first time one of its __anext__, asend, athrow or
// aclose is called (the firstiter hook of sys.set_asyncgen_hooks, which the event loop uses
// to find the generators to close at shutdown).
void set_async_generator_first_iter_hook(void (*hook)(Generator* agen));
void setup_async_generator_types(rt::Type* generator_type);
// A type whose instances `await` drives through [send] and [throw_in] (kTypeNativeAwaitable).
rt::Type* make_native_awaitable_type(const char* name,
                                     rt::SendResult (*send)(rt::Value, rt::Value, rt::Value*),
                                     rt::SendResult (*throw_in)(rt::Value, rt::Value, rt::Value*),
                                     void (*trace)(rt::Object*, rt::Tracer&));
// aiter() and anext(), into the builtins (once they exist).
void register_async_iteration_builtins();

// One step of `yield from` / `await` on [receiver] without running it in a dispatch loop
// of its own: send [in] (generators and coroutines resume, native awaitables use their
// send slot, iterators their next, others a `send` method) or throw [exception] in (a
// receiver without a way to take it raises it). StopIteration becomes Returned.
rt::SendResult send_to(rt::Value receiver, rt::Value in, rt::Value* out);
rt::SendResult throw_to(rt::Value receiver, rt::Value exception, rt::Value* out);

// The exception that throw(type_or_exception[, value]) throws in: the instance, or a new
// one of the class; null with CPython's TypeError pending for anything else.
rt::Value exception_to_throw(rt::Value type_or_exception, rt::Value value);

// What a frame suspended in a SEND loop (await / yield from) is delegating to (its code
// reads SEND; YIELD_VALUE and the delegate is on top of the stack), else null.
rt::Value delegate_of(Frame* f);

inline bool is_coroutine(rt::Value v) {
    return v.is_object() && v.as_object()->type == rt::types.coroutine_;
}
inline bool is_generator(rt::Value v) {
    return v.is_object() && v.as_object()->type == rt::types.generator_;
}
bool is_async_generator_awaitable(rt::Value v);

}  // namespace apy::vm
