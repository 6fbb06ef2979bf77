// The collector: a tracing mark-and-sweep collector over every heap object.
//
// Allocation never collects. The interpreter calls maybe_collect() at safe
// points (calls, backward jumps), when every live value is reachable from a
// root: the frames, the module table, the interned strings, the pending
// exception, and the roots registered below. So native code may hold Values in
// C++ locals freely, EXCEPT across a call back into apy code (a key function, a
// __repr__ method, ...), which can reach a safe point: a native function that
// calls back must keep the values it made itself in a Root or VectorRoot.
// (Its arguments are safe: they sit on the caller's stack.)
#pragma once

#include <cstddef>
#include <new>
#include <utility>
#include <vector>

#include "runtime/object.h"

// Sanitizer builds poison the cells on the free lists, so that a use of a collected object
// (a missing root) is reported where it happens instead of reading a recycled cell.
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define APY_POISON_CELL(cell, size) ASAN_POISON_MEMORY_REGION(cell, size)
#define APY_UNPOISON_CELL(cell, size) ASAN_UNPOISON_MEMORY_REGION(cell, size)
#else
#define APY_POISON_CELL(cell, size) ((void)(cell), (void)(size))
#define APY_UNPOISON_CELL(cell, size) ((void)(cell), (void)(size))
#endif

namespace apy::rt {

class Tracer {
public:
    void mark(Value v) {
        if (v.is_object()) mark(v.as_object());
    }
    void mark(const Object* o) {
        if (o && !o->gc_marked()) {
            const_cast<Object*>(o)->set_gc_marked();
            gray_.push_back(const_cast<Object*>(o));
        }
    }
    template <class Range>
    void mark_all(const Range& values) {
        for (const auto& v : values) mark(v);
    }
    // Traces gray objects until none are left (iterative: deep structures cannot overflow).
    void drain();

private:
    std::vector<Object*> gray_;
};

class Heap {
public:
    // Makes a T in place with [extra] bytes after it (for flexible arrays), typed [type].
    template <class T, class... Args>
    [[gnu::always_inline]] T* make_sized(Type* type, size_t extra, Args&&... args) {
        void* memory = allocate_raw(sizeof(T) + extra);
        T* object = new (memory) T(std::forward<Args>(args)...);
        link(object, type, sizeof(T) + extra);
        return object;
    }
    template <class T, class... Args>
    T* make(Type* type, Args&&... args) {
        return make_sized<T>(type, 0, std::forward<Args>(args)...);
    }

    // Whether maybe_collect() or run_finalizers() would do anything now.
    bool has_work() const { return bytes_since_collect_ >= threshold_ || !finalize_queue_.empty(); }
    // Runs a collection if enough has been allocated since the last one.
    void maybe_collect() {
        if (bytes_since_collect_ >= threshold_) collect();
    }
    void collect();
    // Finalizes what the last collections found unreachable (see Type::finalize). Called
    // at safe points, where no exception is pending: backward jumps, event loop iterations,
    // a for loop left early, interpreter exit.
    void run_finalizers() {
        if (!finalize_queue_.empty()) run_finalizers_slow();
    }

    // Extra roots: a provider is called at every collection to mark what it holds.
    using RootProvider = void (*)(Tracer&);
    void add_root_provider(RootProvider provider) { providers_.push_back(provider); }

    // Reports memory held outside objects (vector buffers, GMP limbs) so that it paces collection.
    void note_external(size_t bytes) { bytes_since_collect_ += bytes; }

    size_t live_objects() const { return live_objects_; }
    size_t collections() const { return collections_; }
    // APY_GC_STRESS=1: collect at every safe point, to flush out missing roots in tests.
    void set_stress(bool on) { threshold_ = on ? 0 : kInitialThreshold; }

    std::vector<Value> temp_roots;                        // see Root below
    std::vector<const std::vector<Value>*> vector_roots;  // see VectorRoot below

private:
    static constexpr size_t kInitialThreshold = 2u << 20;
    // Small objects (frames' generators, tasks, futures, handles, boxed values) come from
    // per-size free lists carved out of large chunks: no malloc call or header per object,
    // and the sweep gives them back to their list.
    static constexpr size_t kGranule = 8;
    static constexpr size_t kSmallLimit = 512;
    static constexpr size_t kSizeClasses = kSmallLimit / kGranule + 1; // class 0: malloc
    static constexpr size_t kChunkSize = 256u << 10;
    struct FreeCell {
        FreeCell* next;
    };

    static uint32_t size_class(size_t size) {
        return size <= kSmallLimit ? static_cast<uint32_t>((size + kGranule - 1) / kGranule) : 0;
    }
    void* allocate_raw(size_t size) {
        uint32_t c = size_class(size);
        if (c != 0 && free_[c]) {
            FreeCell* cell = free_[c];
            APY_UNPOISON_CELL(cell, c * kGranule);
            free_[c] = cell->next;
            return cell;
        }
        return allocate_slow(size);
    }
    void* allocate_slow(size_t size);
    void queue_finalizers(Tracer& tracer);
    void run_finalizers_slow();
    void release(Object* object);
    void link(Object* object, Type* type, size_t size) {
        object->type = type;
        object->gc_word = reinterpret_cast<uintptr_t>(all_) | uintptr_t{size_class(size)}
                                                                  << Object::kSizeClassShift;
        all_ = object;
        ++live_objects_;
        bytes_since_collect_ += size;
    }

    FreeCell* free_[kSizeClasses] = {};
    char* chunk_next_ = nullptr; // the unused rest of the newest chunk
    char* chunk_end_ = nullptr;
    Object* all_ = nullptr;
    size_t live_objects_ = 0;
    size_t bytes_since_collect_ = 0;
    size_t threshold_ = kInitialThreshold;
    size_t collections_ = 0;
    std::vector<RootProvider> providers_;
    std::vector<Object*> finalize_queue_; // unreachable, waiting for finalize()
    bool finalizing_ = false;             // run_finalizers_slow is on the stack
};

namespace detail {
extern Heap the_heap;
}
inline Heap& heap() { return detail::the_heap; }

// Keeps one value alive for the scope, across calls back into apy code.
class Root {
public:
    explicit Root(Value v) : index_(heap().temp_roots.size()) { heap().temp_roots.push_back(v); }
    ~Root() { heap().temp_roots.resize(index_); }
    Root(const Root&) = delete;
    Root& operator=(const Root&) = delete;
    Value get() const { return heap().temp_roots[index_]; }
    void set(Value v) { heap().temp_roots[index_] = v; }

private:
    size_t index_;
};

// Keeps every value of a vector alive for the scope (the vector may grow meanwhile): for
// native code that collects items while a generator or a user __next__/__hash__ may run.
class VectorRoot {
public:
    explicit VectorRoot(const std::vector<Value>& values) {
        heap().vector_roots.push_back(&values);
    }
    ~VectorRoot() { heap().vector_roots.pop_back(); }
    VectorRoot(const VectorRoot&) = delete;
    VectorRoot& operator=(const VectorRoot&) = delete;
};

}  // namespace apy::rt
