#include "vm/frame.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "vm/generator.h"

namespace apy::vm {

using namespace rt;

namespace {

// A frame for [code] with its header set and its slots left as they were.
Frame* take_frame(Code* code, Function* function, Dict* globals, Dict* builtins, Dict* locals) {
    Frame* f = code->free_frames;
    if (f) {
        code->free_frames = f->next_free;
    } else {
        size_t size = offsetof(Frame, slots) + sizeof(Value) * code->frame_slots() +
                      sizeof(Block) * code->maxblocks;
        f = static_cast<Frame*>(std::malloc(size));
        if (!f) std::abort();
    }
    f->code = code;
    f->function = function;
    f->globals = globals;
    f->builtins = builtins;
    f->locals = locals;
    f->back = nullptr;
    f->generator = nullptr;
    f->next_free = nullptr;
    f->kwnames = nullptr;
    f->pc = 0;
    f->sp = code->nlocals() + code->nderefs();
    f->block_count = 0;
    f->is_entry = false;
    return f;
}

// The closure's cells, for the free variables.
void copy_closure(Frame* f, Function* function) {
    if (function && function->closure) {
        Value* frees = f->derefs() + f->code->cellvars.size();
        for (int64_t i = 0; i < function->closure->size; ++i) frees[i] = function->closure->items[i];
    }
}

}  // namespace

Frame* new_frame(Code* code, Function* function, Dict* globals, Dict* builtins, Dict* locals) {
    Frame* f = take_frame(code, function, globals, builtins, locals);
    int nslots = code->frame_slots();
    for (int i = 0; i < nslots; ++i) f->slots[i] = Value::null();
    // Cells for the variables inner functions capture; the closure's cells for free variables.
    Value* derefs = f->derefs();
    size_t ncell = code->cellvars.size();
    for (size_t i = 0; i < ncell; ++i)
        if (code->cell2arg.empty() || code->cell2arg[i] < 0)
            derefs[i] = Value::object(heap().make<Cell>(types.cell_));
    copy_closure(f, function);
    return f;
}

Frame* new_simple_frame(Function* function, const Value* args) {
    Code* code = function->code;
    Frame* f = take_frame(code, function, function->globals, function->builtins, nullptr);
    int nargs = code->argcount;
    int nslots = code->frame_slots();
    for (int i = 0; i < nargs; ++i) f->slots[i] = args[i];
    for (int i = nargs; i < nslots; ++i) f->slots[i] = Value::null();
    copy_closure(f, function);
    return f;
}

void release_frame(Frame* frame) {
    Code* code = frame->code;
    frame->next_free = code->free_frames;
    code->free_frames = frame;
}

void trace_frame(Frame* f, Tracer& tracer) {
    tracer.mark(f->code);
    tracer.mark(f->function);
    tracer.mark(f->globals);
    tracer.mark(f->builtins);
    tracer.mark(f->locals);
    tracer.mark(f->generator);
    tracer.mark(f->kwnames);
    // Every slot, not just up to sp: stale slots above sp only keep garbage a little longer.
    int n = f->code->frame_slots();
    for (int i = 0; i < n; ++i) tracer.mark(f->slots[i]);
}

}  // namespace apy::vm
