// Frames: the activation records of apy code. They live on the heap, never on
// the C++ stack, so a chain of them can be suspended and resumed: a call from
// apy code to an apy function pushes a frame and goes on in the same dispatch
// loop; a generator or coroutine keeps its frame between resumptions.
//
// Frames are not collected objects: a plain call's frame goes back to its code
// object's free list when it returns; a generator's frame is embedded in the
// generator's cell or comes from that free list too (see generator.h). The
// collector reaches running frames through the chain of `back` links from the
// current frame, and suspended ones through their generators.
//
// The collector traces every slot of a frame, not only those below sp, so the value stack
// of a frame from a free list may start with the values its last activation left there,
// but never with freed objects: a new frame's memory starts null, and every collection
// clears the value stacks of the frames on the free lists (code_trace), whose values it
// does not mark. So a call only clears the locals that are not arguments.
#pragma once

#include "runtime/objects.h"
#include "vm/code.h"

namespace apy::vm {

struct Generator;

// A try or with block: where to go on an exception and how deep the stack was.
struct Block {
    int32_t handler;
    int32_t depth;
};

// A generator's frame is embedded in the generator's cell, or comes from its code's free
// list like a call's (see generator.h); every frame from a free list has one word before it
// for the generator owning it. AwaitedCall: a coroutine's frame that `await f(...)` runs as
// a plain call, with no coroutine object unless it suspends (see awaited_call_slot).
enum class FrameOwner : uint8_t { None, EmbeddedIn, PointedToBy, AwaitedCall };

struct Frame {
    Code* code;
    rt::Function* function;   // null for module code run directly
    rt::Dict* globals;
    rt::Dict* builtins;
    rt::Dict* locals;         // the namespace of module and class bodies, else null
    Frame* back;              // the frame that was running when this one started; on the
                              // free list, the next free frame
    int32_t pc;               // index of the next instruction
    int32_t sp;               // stack pointer, as an index into slots (saved when not running)
    int32_t block_count;
    bool is_entry;            // returning from it returns from vm::run()
    FrameOwner owner;         // whether a generator or coroutine owns it, and how
    rt::Value slots[1];       // locals, cells, frees, then the value stack; blocks after

    Block* blocks() { return reinterpret_cast<Block*>(slots + code->frame_slots()); }
    rt::Value* stack_base() { return slots + code->stack_start; }
    rt::Value* derefs() { return slots + code->nlocals(); }
    // The generator or coroutine owning this frame, if any (defined in generator.h).
    Generator* generator();
};

// The bytes of a frame for [code].
inline size_t frame_size(const Code* code) {
    return offsetof(Frame, slots) + sizeof(rt::Value) * code->frame_slots() +
           sizeof(Block) * code->maxblocks;
}

// A frame for [code], from [code]'s free list, with every slot null.
Frame* new_frame(Code* code, rt::Function* function, rt::Dict* globals, rt::Dict* builtins,
                 rt::Dict* locals);

// The memory of a new frame for [code] (when its free list is empty), and its release.
Frame* allocate_frame(Code* code);
void free_frame_memory(Frame* frame);
// The word before a frame from a free list: the generator it belongs to, if any.
inline Generator*& frame_owner_word(Frame* frame) {
    return reinterpret_cast<Generator**>(frame)[-1];
}

// Sets the header of [f] for a new activation of [code], leaving its slots as they were.
[[gnu::always_inline]] inline void init_frame(Frame* f, Code* code, rt::Function* function,
                                              rt::Dict* globals, rt::Dict* builtins,
                                              rt::Dict* locals) {
    f->code = code;
    f->function = function;
    f->globals = globals;
    f->builtins = builtins;
    f->locals = locals;
    f->back = nullptr;
    f->pc = 0;
    f->sp = code->stack_start;
    f->block_count = 0;
    f->is_entry = false;
    f->owner = FrameOwner::None;
}

// A frame for [code] with its header set and its slots left as they were.
[[gnu::always_inline]] inline Frame* take_frame(Code* code, rt::Function* function,
                                                rt::Dict* globals, rt::Dict* builtins,
                                                rt::Dict* locals) {
    Frame* f = code->free_frames;
    if (f) {
        code->free_frames = f->back;
        APY_UNPOISON_CELL(f, frame_size(code));
    } else {
        f = allocate_frame(code);
    }
    init_frame(f, code, function, globals, builtins, locals);
    return f;
}

// The closure's cells, for the free variables (from [frees] on).
inline void copy_closure(rt::Function* function, rt::Value* frees) {
    if (function && function->closure)
        for (int64_t i = 0; i < function->closure->size; ++i) frees[i] = function->closure->items[i];
}

// Nulls the value stack of [f] (see the top of this file).
inline void clear_value_stack(Frame* f, const Code* code) {
    for (int i = code->stack_start; i < code->nslots; ++i) f->slots[i] = rt::Value::null();
}

// Fills the locals of [f], a frame for calling [function] whose code is simple_call, with
// its argcount positional arguments [args], leaving its value stack as it is.
[[gnu::always_inline]] inline void bind_simple_args(Frame* f, rt::Function* function,
                                                    const rt::Value* args) {
    Code* code = function->code;
    int nargs = code->argcount;
    rt::Value* slots = f->slots;
    // Most functions take a few arguments: those copies need no loop.
    switch (nargs) {
    case 3: slots[2] = args[2]; [[fallthrough]];
    case 2: slots[1] = args[1]; [[fallthrough]];
    case 1: slots[0] = args[0]; [[fallthrough]];
    case 0: break;
    default:
        for (int i = 0; i < nargs; ++i) slots[i] = args[i];
    }
    for (int i = nargs; i < code->stack_start; ++i) slots[i] = rt::Value::null();
    copy_closure(function, f->slots + code->nlocals());  // no cells: frees follow the locals
}

// A frame for calling [function], whose code is simple_call, with its argcount positional
// arguments [args].
[[gnu::always_inline]] inline Frame* new_simple_frame(rt::Function* function,
                                                      const rt::Value* args) {
    Frame* f = take_frame(function->code, function, function->globals, function->builtins, nullptr);
    bind_simple_args(f, function, args);
    return f;
}

// Gives a frame back to its code's free list. Sanitizer builds poison all of it but the
// free list's link (see APY_POISON_CELL).
inline void release_frame(Frame* frame) {
    Code* code = frame->code;
    frame->back = code->free_frames;
    code->free_frames = frame;
    APY_POISON_CELL(frame, offsetof(Frame, back));
    char* after_back = reinterpret_cast<char*>(&frame->back + 1);
    APY_POISON_CELL(after_back, frame_size(code) - (after_back - reinterpret_cast<char*>(frame)));
}

void trace_frame(Frame* frame, rt::Tracer& tracer);

// The innermost running frame (null when no apy code runs).
Frame* current_frame();

}  // namespace apy::vm
