#include "vm/frame.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "vm/generator.h"

namespace apy::vm {

using namespace rt;

Frame* allocate_frame(Code* code) {
    auto* memory = static_cast<Generator**>(std::malloc(sizeof(Generator*) + frame_size(code)));
    if (!memory) std::abort();
    auto* f = reinterpret_cast<Frame*>(memory + 1);
    clear_value_stack(f, code);
    return f;
}

void free_frame_memory(Frame* frame) { std::free(&frame_owner_word(frame)); }

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
    copy_closure(function, derefs + ncell);
    return f;
}

void trace_frame(Frame* f, Tracer& tracer) {
    tracer.mark(f->code);
    tracer.mark(f->function);
    tracer.mark(f->globals);
    tracer.mark(f->builtins);
    tracer.mark(f->locals);
    tracer.mark(f->generator());
    // Every slot, not just up to sp: stale slots above sp only keep garbage a little longer
    // (and never hold freed objects: see frame.h).
    int n = f->code->frame_slots();
    for (int i = 0; i < n; ++i) tracer.mark(f->slots[i]);
}

}  // namespace apy::vm
