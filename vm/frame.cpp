#include "vm/frame.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "vm/generator.h"

namespace apy::vm {

using namespace rt;

Frame* new_frame(Code* code, Function* function, Dict* globals, Dict* builtins, Dict* locals) {
    Frame* f = code->free_frames;
    int nslots = code->frame_slots();
    if (f) {
        code->free_frames = f->next_free;
    } else {
        size_t size = offsetof(Frame, slots) + sizeof(Value) * nslots +
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
    for (int i = 0; i < nslots; ++i) f->slots[i] = Value::null();
    // Cells for the variables inner functions capture; the closure's cells for free variables.
    Value* derefs = f->derefs();
    size_t ncell = code->cellvars.size();
    for (size_t i = 0; i < ncell; ++i)
        if (code->cell2arg.empty() || code->cell2arg[i] < 0)
            derefs[i] = Value::object(heap().make<Cell>(types.cell_));
    if (function && function->closure)
        for (int64_t i = 0; i < function->closure->size; ++i)
            derefs[ncell + i] = function->closure->items[i];
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
