// Frames: the activation records of apy code. They live on the heap, never on
// the C++ stack, so a chain of them can be suspended and resumed: a call from
// apy code to an apy function pushes a frame and goes on in the same dispatch
// loop; a generator or coroutine keeps its frame between resumptions.
//
// Frames are not collected objects: a plain call's frame goes back to its code
// object's free list when it returns; a generator's frame belongs to the
// generator. The collector reaches running frames through the chain of `back`
// links from the current frame, and suspended ones through their generators.
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

struct Frame {
    Code* code;
    rt::Function* function;   // null for module code run directly
    rt::Dict* globals;
    rt::Dict* builtins;
    rt::Dict* locals;         // the namespace of module and class bodies, else null
    Frame* back;              // the frame that was running when this one started
    Generator* generator;     // the generator or coroutine owning this frame, if any
    Frame* next_free;         // free-list link
    rt::Tuple* kwnames;       // set by KW_NAMES for the next CALL
    int32_t pc;               // index of the next instruction
    int32_t sp;               // stack pointer, as an index into slots (saved when not running)
    int32_t block_count;
    bool is_entry;            // returning from it returns from vm::run()
    rt::Value slots[1];       // locals, cells, frees, then the value stack; blocks after

    Block* blocks() { return reinterpret_cast<Block*>(slots + code->frame_slots()); }
    rt::Value* stack_base() { return slots + code->nlocals() + code->nderefs(); }
    rt::Value* derefs() { return slots + code->nlocals(); }
};

// A frame for [code], from [code]'s free list, with every slot null.
Frame* new_frame(Code* code, rt::Function* function, rt::Dict* globals, rt::Dict* builtins,
                 rt::Dict* locals);
// A frame for calling [function], whose code is simple_call, with its argcount positional
// arguments [args].
Frame* new_simple_frame(rt::Function* function, const rt::Value* args);
// Gives a frame back to its code's free list.
void release_frame(Frame* frame);

void trace_frame(Frame* frame, rt::Tracer& tracer);

// The innermost running frame (null when no apy code runs).
Frame* current_frame();

}  // namespace apy::vm
