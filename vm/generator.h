// Generators and coroutines: objects that own a suspended frame.
#pragma once

#include "runtime/errors.h"
#include "runtime/objects.h"
#include "vm/frame.h"

#include <new>

namespace apy::vm {

// A generator owns its frame in one of two ways. Made by a call and kept (a task's coroutine,
// a generator iterated later), its frame is embedded in its cell, right after the Generator:
// one allocation, freed with the generator. Made by `await f(...)` (or a call that binds
// keywords, defaults or *args), its frame comes from the code's free list and returns there
// when it finishes (still in the cache for the next call), and the word after the Generator
// then keeps its code.
struct Generator : rt::Object {
    Frame* frame = nullptr; // null once finished
    rt::Str* qualname = nullptr;
    bool running = false;
    bool started = false;
    bool frame_outside = false; // its frame is a free-list frame (see above)
    bool warned = false;  // "was never awaited" already reported
    bool first_iter_seen = false;  // async generators: the first-iteration hook ran
    bool finalized = false;        // closed by the collector once already
    bool recyclable = false;       // see new_awaited_coroutine
    // The exception handled when the generator last suspended (restored on resume). While it
    // runs as a delegate in its awaiter's dispatch loop (see enter_delegate): the awaiter's.
    rt::Value saved_handled = rt::Value::null();

    bool finished() const { return !frame; }
    Frame* embedded_frame() { return reinterpret_cast<Frame*>(this + 1); }
    // The word after a generator whose frame is outside: its code, once finished.
    Code*& outside_code() { return *reinterpret_cast<Code**>(this + 1); }
    // Its code (__name__ is its name).
    Code* code() {
        return frame ? frame->code : frame_outside ? outside_code() : embedded_frame()->code;
    }
};

inline Generator* Frame::generator() {
    switch (owner) {
    case FrameOwner::EmbeddedIn: return reinterpret_cast<Generator*>(this) - 1;
    case FrameOwner::PointedToBy: return frame_owner_word(this);
    default: return nullptr;
    }
}

// The async_generator type (vm/async_generator.cpp), made by setup_async_generator_types.
rt::Type* async_generator_type();

// A generator of [code]'s kind (generator, coroutine or async generator, by its flags), not
// yet started, with [extra] bytes after it for its frame or its code (see above).
[[gnu::always_inline]] inline Generator* allocate_generator(Code* code, rt::Function* function,
                                                            size_t extra) {
    rt::Type* type = (code->flags & kCoroutine)        ? rt::types.coroutine_
                     : (code->flags & kAsyncGenerator) ? async_generator_type()
                                                       : rt::types.generator_;
    auto* gen = rt::heap().make_sized<Generator>(type, extra);
    gen->frame = reinterpret_cast<Frame*>(gen + 1); // the embedded frame's place, if any
    gen->qualname = function ? function->qualname : code->qualname;
    return gen;
}

// Makes a generator owning [frame], a bound frame from its code's free list, not yet started.
[[gnu::always_inline]] inline Generator* make_generator(Frame* frame) {
    Generator* gen = allocate_generator(frame->code, frame->function, sizeof(Code*));
    gen->frame = frame;
    gen->frame_outside = true;
    frame->owner = FrameOwner::PointedToBy;
    frame_owner_word(frame) = gen;
    frame->pc = 1; // past RETURN_GENERATOR: the first resume pushes the sent None for POP_TOP
    return gen;
}

// Makes a generator for calling [function], whose code is simple_call, with its argcount
// positional arguments [args] (see new_simple_frame), its frame embedded.
[[gnu::always_inline]] inline Generator* make_simple_generator(rt::Function* function,
                                                               const rt::Value* args) {
    Code* code = function->code;
    Generator* gen = allocate_generator(code, function, frame_size(code));
    Frame* frame = gen->embedded_frame();
    init_frame(frame, code, function, function->globals, function->builtins, nullptr);
    frame->owner = FrameOwner::EmbeddedIn;
    frame->pc = 1; // past RETURN_GENERATOR: the first resume pushes the sent None for POP_TOP
    bind_simple_args(frame, function, args);
    clear_value_stack(frame, code); // new memory, not a frame from the free list
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
    return gen->frame && !gen->running && gen->saved_handled.is_null() &&
           (gen->started || sent.is_none());
}
inline void enter_delegate(Generator* gen, Frame* awaiter, rt::Value sent) {
    Frame* f = gen->frame;
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
    gen->frame->back = nullptr;
}
// (end_delegate also gives a recyclable coroutine's cell back: see new_awaited_coroutine.)
void end_delegate(Generator* gen);

// PEP 479: a StopIteration escaping the body of [code] (pending) becomes RuntimeError, and so
// does a StopAsyncIteration escaping an async generator (PEP 525). The resumer handles
// [resumer_handled].
void stop_iteration_to_runtime_error(Code* code, bool coroutine, rt::Value resumer_handled);

// `await f(...)` of a coroutine function runs the new coroutine's frame as a plain call
// (FrameOwner::AwaitedCall; see CALL): most such coroutines finish without suspending, and
// then no coroutine object is ever made. The awaiter's stack holds, where the coroutine
// would be, the exception the awaiter was handling (what enter_delegate keeps in the
// coroutine), then the None sent in.
inline rt::Value& awaited_call_slot(Frame* f) {
    Frame* awaiter = f->back;
    return awaiter->slots[awaiter->sp - 2];
}
// A coroutine for materialize_awaited_call. Such a coroutine is referred to only by its
// awaiter's stack unless cr_await hands it out (which clears its recyclable): one that ends
// in its awaiter's loop is left with no reference, and recycle_coroutine keeps its cell
// for the next one instead of leaving it to the collector (an await chain that suspends
// makes and drops one per level each time).
struct SpareCoroutines {
    static constexpr uint32_t kMax = 256;
    Generator* cells[kMax];
    uint32_t count = 0;
};
extern SpareCoroutines g_spare_coroutines;

[[gnu::always_inline]] inline Generator* new_awaited_coroutine(Code* code, rt::Function* function) {
    SpareCoroutines& spares = g_spare_coroutines;
    if (spares.count == 0) return allocate_generator(code, function, sizeof(Code*));
    Generator* gen = spares.cells[--spares.count];
    // A new Generator in the old cell, which stays on the heap's list as it is.
    rt::Type* type = gen->type;
    uintptr_t gc_word = gen->gc_word;
    new (gen) Generator{};
    gen->type = type;
    gen->gc_word = gc_word;
    gen->clear_gc_inert();
    gen->qualname = function ? function->qualname : code->qualname;
    return gen;
}
inline void recycle_coroutine(Generator* gen) {
    SpareCoroutines& spares = g_spare_coroutines;
    if (spares.count < SpareCoroutines::kMax) spares.cells[spares.count++] = gen;
}

// When the frame suspends: makes its coroutine, running, in that slot, as if SEND had
// entered it (enter_delegate).
[[gnu::always_inline]] inline Generator* materialize_awaited_call(Frame* f) {
    rt::Value& slot = awaited_call_slot(f);
    Generator* gen = new_awaited_coroutine(f->code, f->function);
    gen->recyclable = true;
    gen->frame = f;
    gen->frame_outside = true;
    gen->started = true;
    gen->running = true;
    gen->saved_handled = slot;
    f->owner = FrameOwner::PointedToBy;
    frame_owner_word(f) = gen;
    slot = rt::Value::object(gen);
    return gen;
}
// When the frame ends: restores the awaiter's handled exception and releases the frame; a
// StopIteration pending becomes RuntimeError, as for any coroutine.
[[gnu::always_inline]] inline void end_awaited_call(Frame* f) {
    rt::Value awaiter_handled = awaited_call_slot(f);
    rt::set_handled_exception(awaiter_handled);
    Code* code = f->code;
    release_frame(f);
    if (rt::has_pending()) stop_iteration_to_runtime_error(code, true, awaiter_handled);
}

// Ends [f], which returned or raised (pending) in its awaiter's dispatch loop: a coroutine
// awaited as a call, or a delegate that SEND entered.
[[gnu::always_inline]] inline void end_in_awaiter_loop(Frame* f) {
    if (f->owner == FrameOwner::AwaitedCall)
        end_awaited_call(f);
    else
        end_delegate(f->generator());
}

// Reports a coroutine dropped before it ever ran, as CPython's RuntimeWarning, with the
// location [code]:[line] (null code: at shutdown or collection, "sys:1").
void warn_never_awaited(Generator* coroutine, Code* code, int line);
// The same for a native coroutine (Type::take_unawaited) named [qualname].
void warn_never_awaited(const char* qualname, Code* code, int line);
// A native coroutine's destroy: the warning if it was never awaited nor reported.
void warn_if_unawaited(rt::Object* native_coroutine);
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
