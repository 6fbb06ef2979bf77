#include "runtime/gc.h"

#include <algorithm>
#include <cstdlib>

namespace apy::rt {

constinit Heap detail::the_heap;

void* Heap::allocate_slow(size_t size) {
    uint32_t c = size_class(size);
    if (c == 0) {
        void* memory = std::malloc(size);
        if (!memory) std::abort(); // out of memory is not recoverable here
        return memory;
    }
    size_t rounded = c * kGranule;
    if (static_cast<size_t>(chunk_end_ - chunk_next_) < rounded) {
        // The rest of the old chunk is too small for this class: it stays unused. Chunks
        // live as long as the process, their cells recycled through the free lists.
        chunk_next_ = static_cast<char*>(std::malloc(kChunkSize));
        if (!chunk_next_) std::abort();
        chunk_end_ = chunk_next_ + kChunkSize;
    }
    void* memory = chunk_next_;
    chunk_next_ += rounded;
    return memory;
}

void Heap::release(Object* object) {
    uint32_t c = object->size_class();
    if (c == 0) {
        std::free(object);
        return;
    }
    auto* cell = reinterpret_cast<FreeCell*>(object);
    cell->next = free_[c];
    free_[c] = cell;
    APY_POISON_CELL(cell, c * kGranule);
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

// Unreachable objects that want finalizing survive this collection, with all they reach.
void Heap::queue_finalizers(Tracer& tracer) {
    size_t queued = finalize_queue_.size();
    for (Object* object = all_; object; object = object->gc_next()) {
        Type* type = object->type;
        if (!object->gc_marked() && !object->gc_inert() && type->needs_finalize &&
            type->needs_finalize(object))
            finalize_queue_.push_back(object);
    }
    if (finalize_queue_.size() == queued) return;
    // Oldest first, as CPython finalizes garbage (the object list is newest first).
    std::reverse(finalize_queue_.begin() + static_cast<std::ptrdiff_t>(queued),
                 finalize_queue_.end());
    for (size_t i = queued; i < finalize_queue_.size(); ++i) tracer.mark(finalize_queue_[i]);
    tracer.drain();
}

void Heap::run_finalizers_slow() {
    if (finalizing_) return; // a finalizer's own code reached a safe point
    finalizing_ = true;
    // In the order found; the queue may grow while finalizers run (more collections).
    for (size_t i = 0; i < finalize_queue_.size(); ++i) {
        Object* object = finalize_queue_[i];
        object->type->finalize(object);
    }
    finalize_queue_.clear();
    finalizing_ = false;
}

void Heap::collect() {
    Tracer tracer;
    for (RootProvider provider : providers_) provider(tracer);
    tracer.mark_all(temp_roots);
    for (const std::vector<Value>* values : vector_roots) tracer.mark_all(*values);
    tracer.mark_all(finalize_queue_);
    tracer.drain();
    queue_finalizers(tracer);

    // Destroy all the dead before freeing any: a dead object's type may be dead too, and
    // destroy() reads it. Two walks of the object list rather than a list of the dead,
    // which at exit would be the largest allocation of the run.
    for (Object* object = all_; object; object = object->gc_next())
        if (!object->gc_marked() && !object->gc_inert() && object->type->destroy)
            object->type->destroy(object);
    Object* last_survivor = nullptr;
    size_t survivors = 0;
    for (Object* object = all_; object;) {
        Object* next = object->gc_next();
        if (object->gc_marked()) {
            object->clear_gc_marked();
            if (last_survivor)
                last_survivor->set_gc_next(object);
            else
                all_ = object;
            last_survivor = object;
            ++survivors;
        } else {
            release(object);
        }
        object = next;
    }
    if (last_survivor)
        last_survivor->set_gc_next(nullptr);
    else
        all_ = nullptr;
    live_objects_ = survivors;
    bytes_since_collect_ = 0;
    ++collections_;
    // Grow the next threshold with the live set so collection stays proportional.
    if (threshold_ != 0) threshold_ = std::max(kInitialThreshold, survivors * 64);
}

}  // namespace apy::rt
