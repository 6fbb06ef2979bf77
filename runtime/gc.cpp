#include "runtime/gc.h"

#include <algorithm>
#include <cstdlib>

namespace apy::rt {

Heap& heap() {
    static Heap instance;
    return instance;
}

void* Heap::allocate_raw(size_t size) {
    void* memory = std::malloc(size);
    if (!memory) std::abort();  // out of memory is not recoverable here
    return memory;
}

void Tracer::drain() {
    while (!gray_.empty()) {
        Object* object = gray_.back();
        gray_.pop_back();
        // The type is itself an object that must survive (classes made at run time).
        mark(object->type);
        if (object->type->trace) object->type->trace(object, *this);
    }
}

void Heap::collect() {
    Tracer tracer;
    for (RootProvider provider : providers_) provider(tracer);
    tracer.mark_all(temp_roots);
    for (const std::vector<Value>* values : vector_roots) tracer.mark_all(*values);
    tracer.drain();

    // Unlink the dead first and destroy them all before freeing any: a dead
    // object's type may be dead too, and destroy() reads it.
    std::vector<Object*> dead;
    Object** link = &all_;
    size_t survivors = 0;
    while (Object* object = *link) {
        if (object->gc_marked) {
            object->gc_marked = 0;
            link = &object->gc_next;
            ++survivors;
        } else {
            *link = object->gc_next;
            dead.push_back(object);
        }
    }
    for (Object* object : dead)
        if (object->type->destroy) object->type->destroy(object);
    for (Object* object : dead) std::free(object);
    live_objects_ = survivors;
    bytes_since_collect_ = 0;
    ++collections_;
    // Grow the next threshold with the live set so collection stays proportional.
    if (threshold_ != 0) threshold_ = std::max(kInitialThreshold, survivors * 64);
}

}  // namespace apy::rt
