// asyncio.queues: Queue, LifoQueue, PriorityQueue, QueueEmpty and QueueFull, in C++ and
// behaving as CPython 3.11's Lib/asyncio/queues.py. Getters and putters wait on futures in
// FIFO deques. put(), get() and join() return small native awaitables (named coroutine, as
// sleep's): one that can finish at once (an item or a free slot is there) makes no future.
//
// A class deriving from a queue in apy code may override any method (_init, _put, _get,
// qsize, full, put_nowait, ...): on its instances every call queues.py makes on self goes
// through the method by name. The three builtin classes skip that and work on their list
// directly while _queue is a plain list.
#include "runtime/args.h"
#include "runtime/asyncio/asyncio.h"
#include "runtime/classes.h"
#include "runtime/errors.h"
#include "runtime/ops.h"
#include "vm/generator.h"

#include <cstdio>
#include <iterator>

namespace apy::rt {
void inherit_slots(Type* type);
Dict* sys_modules();
} // namespace apy::rt

namespace apy::aio {

using namespace rt;

namespace {

struct QueueObject : Instance {
    Value maxsize = Value::null(); // _maxsize
    Value items = Value::null();   // _queue, made by _init: a list in the builtin queues
    int64_t head = 0;              // Queue's list: the items before [head] were taken
    std::deque<Future*> getters;
    std::deque<Future*> putters;
    int64_t unfinished_tasks = 0;
    Value finished = Value::null(); // _finished: the Event, made when first needed
    Value loop = Value::none();     // _loop
};

enum class QueueOp : uint8_t { Put, Get, Join };

// What put(), get() and join() return.
struct QueueCall : Object {
    QueueObject* queue = nullptr;
    Value item = Value::null(); // put: the item; join: the Event.wait() it awaits
    Future* waiter = nullptr;   // put, get: the future waited on
    QueueOp op = QueueOp::Put;
    uint8_t state = 0; // 0 not started, 1 waiting, 2 done
    bool unawaited_reported = false; // "never awaited" shown (Type::take_unawaited)
};

QueueObject* self_queue(Value v) { return as<QueueObject>(v); }

Str* name(const char* text) { return intern(text); }

// ---- the builtin queues' storage

// _queue while it is a plain list, which the methods of the queues use directly.
List* plain_list(QueueObject* q) {
    if (!q->items.is_object() || type_of(q->items) != rt::types.list_) return nullptr;
    return as<List>(q->items);
}

// The list of a builtin queue, whose code calls no method of its own by name.
List* own_list(QueueObject* q) { return q->type->is_builtin ? plain_list(q) : nullptr; }

int64_t own_size(QueueObject* q, List* l) {
    return static_cast<int64_t>(l->items.size()) - q->head;
}

// Queue's list without the taken items, as code outside sees it.
void compact(QueueObject* q) {
    if (q->head == 0) return;
    if (List* l = plain_list(q)) l->items.erase(l->items.begin(), l->items.begin() + q->head);
    q->head = 0;
}

Value missing(QueueObject* q, const char* attr) {
    return raise_format(exc.AttributeError, "'%s' object has no attribute '%s'",
                        q->type->name.c_str(), attr);
}

Value items_of(QueueObject* q) {
    if (q->items.is_null()) return missing(q, "_queue");
    compact(q);
    return q->items;
}

// The truth of a result: 1, 0, or -1 when it is null (an error) or its truth fails.
int truth_of(Value v) { return v.is_null() ? -1 : truthy(v); }

Value call_on(QueueObject* q, const char* method, Value* args = nullptr, int nargs = 0) {
    return call_method(Value::object(q), name(method), args, nargs);
}

// heapq's _siftdown and _siftup on [heap], comparing with < as heapq does.
// A comparison ran apy code that resized the heap: heapq's error.
bool heap_resized(const std::vector<Value>& heap, size_t size) {
    if (heap.size() == size) return false;
    raise(exc.RuntimeError, "list changed size during iteration");
    return true;
}

bool sift_down(std::vector<Value>& heap, size_t start, size_t pos) {
    size_t size = heap.size();
    Value item = heap[pos];
    Root keep(item);
    while (pos > start) {
        size_t parent_pos = (pos - 1) >> 1;
        Value parent = heap[parent_pos];
        int less = truth_of(compare(item, parent, CompareOp::Lt));
        if (less < 0 || heap_resized(heap, size)) return false;
        if (!less) break;
        heap[pos] = parent;
        pos = parent_pos;
    }
    heap[pos] = item;
    return true;
}

bool sift_up(std::vector<Value>& heap, size_t pos) {
    size_t end = heap.size(), start = pos;
    Value item = heap[pos];
    Root keep(item);
    size_t child = 2 * pos + 1;
    while (child < end) {
        size_t right = child + 1;
        if (right < end) {
            int less = truth_of(compare(heap[child], heap[right], CompareOp::Lt));
            if (less < 0 || heap_resized(heap, end)) return false;
            if (!less) child = right;
        }
        heap[pos] = heap[child];
        pos = child;
        child = 2 * pos + 1;
    }
    heap[pos] = item;
    return sift_down(heap, start, pos);
}

List* heap_list(QueueObject* q) {
    if (q->items.is_null()) {
        missing(q, "_queue");
        return nullptr;
    }
    if (!is_layout(q->items, Layout::List)) {
        raise(exc.TypeError, "heap argument must be a list");
        return nullptr;
    }
    return as<List>(q->items);
}

// Queue._put, LifoQueue._put: self._queue.append(item).
bool append_item(QueueObject* q, Value item) {
    if (List* l = plain_list(q)) {
        l->items.push_back(item);
        return true;
    }
    if (q->items.is_null()) return !missing(q, "_queue").is_null();
    return !call_method(q->items, name("append"), &item, 1).is_null();
}

// PriorityQueue._put: heapq.heappush(self._queue, item).
bool heap_push(QueueObject* q, Value item) {
    List* l = heap_list(q);
    if (!l) return false;
    l->items.push_back(item);
    return sift_down(l->items, 0, l->items.size() - 1);
}

// Queue._get: self._queue.popleft().
// The builtin Queue takes from the front by moving [head]; the list of a subclass, which
// its own methods may use, loses its first item at once.
Value pop_first(QueueObject* q) {
    List* l = plain_list(q);
    if (!l) {
        if (q->items.is_null()) return missing(q, "_queue");
        return call_method(q->items, name("popleft"), nullptr, 0);
    }
    if (own_size(q, l) == 0) return raise(exc.IndexError, "pop from an empty deque");
    Value item = l->items[q->head];
    if (!q->type->is_builtin) {
        l->items.erase(l->items.begin());
        return item;
    }
    l->items[q->head] = Value::none();
    ++q->head;
    if (q->head * 2 >= static_cast<int64_t>(l->items.size())) compact(q);
    return item;
}

// LifoQueue._get: self._queue.pop().
Value pop_last(QueueObject* q) {
    List* l = plain_list(q);
    if (!l) {
        if (q->items.is_null()) return missing(q, "_queue");
        return call_method(q->items, name("pop"), nullptr, 0);
    }
    if (own_size(q, l) == 0) return raise(exc.IndexError, "pop from empty list");
    Value item = l->items.back();
    l->items.pop_back();
    return item;
}

// PriorityQueue._get: heapq.heappop(self._queue).
Value heap_pop(QueueObject* q) {
    List* l = heap_list(q);
    if (!l) return Value::null();
    auto& heap = l->items;
    if (heap.empty()) return raise(exc.IndexError, "index out of range");
    Value last = heap.back();
    heap.pop_back();
    if (heap.empty()) return last;
    Value first = heap[0];
    Root keep(first);
    heap[0] = last;
    if (!sift_up(heap, 0)) return Value::null();
    return first;
}

// ---- what queues.py calls on self: the builtin queues' own code, or the method by name

bool put_item(QueueObject* q, Value item) {
    if (q->type == types.priority_queue) return heap_push(q, item);
    if (q->type->is_builtin) return append_item(q, item);
    return !call_on(q, "_put", &item, 1).is_null();
}

Value get_item(QueueObject* q) {
    if (q->type == types.queue) return pop_first(q);
    if (q->type == types.lifo_queue) return pop_last(q);
    if (q->type == types.priority_queue) return heap_pop(q);
    return call_on(q, "_get");
}

// Queue.qsize(): len(self._queue).
Value qsize_value(QueueObject* q) {
    if (List* l = plain_list(q)) return make_int(own_size(q, l));
    Value items = items_of(q);
    if (items.is_null()) return items;
    int64_t n;
    if (!length(items, &n)) return Value::null();
    return make_int(n);
}

// Queue.full(): maxsize <= 0 means unbounded.
Value full_value(QueueObject* q) {
    if (q->maxsize.is_null()) return missing(q, "_maxsize");
    Value maxsize = q->maxsize;
    Root keep(maxsize);
    int unbounded = truth_of(compare(maxsize, Value::small_int(0), CompareOp::Le));
    if (unbounded < 0) return Value::null();
    if (unbounded) return Value::boolean(false);
    Value size = q->type->is_builtin ? qsize_value(q) : call_on(q, "qsize");
    if (size.is_null()) return size;
    Root keep_size(size);
    return compare(size, maxsize, CompareOp::Ge);
}

// Queue.empty(): not self._queue.
Value empty_value(QueueObject* q) {
    if (List* l = plain_list(q)) return Value::boolean(own_size(q, l) == 0);
    Value items = items_of(q);
    if (items.is_null()) return items;
    int t = truthy(items);
    return t < 0 ? Value::null() : Value::boolean(!t);
}

// self.full() and self.empty() as the loops of put() and get() test them: 1, 0, -1 (error).
int is_full(QueueObject* q) {
    if (List* l = own_list(q); l && q->maxsize.is_small_int()) {
        int64_t maxsize = q->maxsize.as_small_int();
        return maxsize > 0 && own_size(q, l) >= maxsize;
    }
    return truth_of(q->type->is_builtin ? full_value(q) : call_on(q, "full"));
}

int is_empty(QueueObject* q) {
    if (List* l = own_list(q)) return own_size(q, l) == 0;
    return truth_of(q->type->is_builtin ? empty_value(q) : call_on(q, "empty"));
}

// _wakeup_next: wakes the first waiter that is not done yet.
void wakeup_next(std::deque<Future*>& waiters) {
    while (!waiters.empty()) {
        Future* waiter = waiters.front();
        waiters.pop_front();
        if (!future_done(waiter)) {
            future_set_result(waiter, Value::none());
            break;
        }
    }
}

// The Event behind _finished and join(), made on first use as __init__ would have left it.
Value finished_event(QueueObject* q) {
    if (!q->finished.is_null()) return q->finished;
    Value locks = dict_get_str(sys_modules(), name("asyncio.locks"));
    Value event_type = locks.is_null() ? locks : getattr(locks, name("Event"));
    if (event_type.is_null()) return event_type;
    Value event = call0(event_type);
    if (event.is_null()) return event;
    Root keep(event);
    if (q->unfinished_tasks == 0 && call_method(event, name("set"), nullptr, 0).is_null())
        return Value::null();
    q->finished = event;
    return event;
}

Value put_nowait(QueueObject* q, Value item) {
    int full = is_full(q);
    if (full < 0) return Value::null();
    if (full) return raise_value(make_exception(types.QueueFull, make_tuple(0)));
    if (!put_item(q, item)) return Value::null();
    q->unfinished_tasks += 1;
    if (!q->finished.is_null() && call_method(q->finished, name("clear"), nullptr, 0).is_null())
        return Value::null();
    wakeup_next(q->getters);
    return Value::none();
}

Value get_nowait(QueueObject* q) {
    int empty = is_empty(q);
    if (empty < 0) return Value::null();
    if (empty) return raise_value(make_exception(types.QueueEmpty, make_tuple(0)));
    Value item = get_item(q);
    if (item.is_null()) return item;
    Root keep(item);
    wakeup_next(q->putters);
    return item;
}

// Mixins._LoopBoundMixin._get_loop(): binds the queue to the running loop.
Value get_loop(QueueObject* q) {
    EventLoop* running = running_loop();
    Value loop = running ? Value::object(running) : Value::none();
    if (q->loop.is_none()) q->loop = loop;
    if (!loop.is(q->loop)) {
        Value r = repr(Value::object(q));
        if (r.is_null()) return r;
        return raise(exc.RuntimeError,
                     std::string(str_view(r)) + " is bound to a different event loop");
    }
    return loop;
}

// self._get_loop().create_future(), for a waiting put() or get().
Future* new_waiter(QueueObject* q) {
    Value loop = q->type->is_builtin ? get_loop(q) : call_on(q, "_get_loop");
    if (loop.is_null()) return nullptr;
    if (type_of(loop) == types.loop) return make_future(as<EventLoop>(loop));
    Root keep(loop);
    Value f = call_method(loop, name("create_future"), nullptr, 0);
    if (f.is_null()) return nullptr;
    if (!is_future(f)) {
        raise(exc.TypeError, "create_future() did not return a Future");
        return nullptr;
    }
    return as<Future>(f);
}

// ---- put(), get() and join()

std::deque<Future*>& waiters_of(QueueCall* c) {
    return c->op == QueueOp::Put ? c->queue->putters : c->queue->getters;
}

// The `while self.full()` / `while self.empty()` loop of put() and get(), from its test.
SendResult run_loop(QueueCall* c, Value* out) {
    QueueObject* q = c->queue;
    bool put = c->op == QueueOp::Put;
    int blocked = put ? is_full(q) : is_empty(q);
    if (blocked < 0) {
        c->state = 2;
        return SendResult::Error;
    }
    if (!blocked) {
        c->state = 2;
        Value r = q->type->is_builtin ? (put ? put_nowait(q, c->item) : get_nowait(q))
                  : put               ? call_on(q, "put_nowait", &c->item, 1)
                                      : call_on(q, "get_nowait");
        if (r.is_null()) return SendResult::Error;
        *out = r;
        return SendResult::Returned;
    }
    Future* waiter = new_waiter(q);
    if (!waiter) {
        c->state = 2;
        return SendResult::Error;
    }
    waiters_of(c).push_back(waiter);
    c->waiter = waiter;
    c->state = 1;
    waiter->blocking = true;
    *out = Value::object(waiter);
    return SendResult::Yielded;
}

// The `except:` clause around `await waiter`, with [exception] raised there: the waiter
// leaves the deque, and the next one wakes when this one was woken but cannot go on.
SendResult leave_waiting(QueueCall* c, Value exception) {
    Root keep(exception);
    QueueObject* q = c->queue;
    Future* waiter = c->waiter;
    c->state = 2;
    future_cancel(waiter, Value::none());
    std::deque<Future*>& waiters = waiters_of(c);
    auto it = std::find(waiters.begin(), waiters.end(), waiter);
    if (it != waiters.end()) waiters.erase(it);
    int blocked = c->op == QueueOp::Put ? is_full(q) : is_empty(q);
    if (blocked < 0) return SendResult::Error;
    if (!blocked && waiter->state != FutureState::Cancelled) wakeup_next(waiters);
    raise_value(exception);
    return SendResult::Error;
}

SendResult join_step(QueueCall* c, Value in, Value thrown, Value* out) {
    if (c->state == 0) {
        c->state = 2;
        if (c->queue->unfinished_tasks <= 0) {
            *out = Value::none();
            return SendResult::Returned;
        }
        Value event = finished_event(c->queue);
        if (event.is_null()) return SendResult::Error;
        c->item = call_method(event, name("wait"), nullptr, 0);
        if (c->item.is_null()) return SendResult::Error;
        c->state = 1;
    }
    SendResult r = thrown.is_null() ? vm::send_to(c->item, in, out)
                                    : vm::throw_to(c->item, thrown, out);
    if (r == SendResult::Yielded) return r;
    c->state = 2;
    if (r == SendResult::Returned) *out = Value::none();
    return r;
}

SendResult queue_call_send(Value self, Value in, Value* out) {
    QueueCall* c = as<QueueCall>(self);
    if (c->state == 2) {
        raise(exc.RuntimeError, "cannot reuse already awaited coroutine");
        return SendResult::Error;
    }
    if (c->op == QueueOp::Join) return join_step(c, in, Value::null(), out);
    if (c->state == 1) {
        // Future.__await__ after its yield: the waiter's result, or the error it raises.
        Value r = future_done(c->waiter) ? future_result(c->waiter)
                                         : raise(exc.RuntimeError, "await wasn't used with future");
        if (r.is_null()) return leave_waiting(c, take_pending());
    }
    return run_loop(c, out);
}

SendResult queue_call_throw(Value self, Value exception, Value* out) {
    QueueCall* c = as<QueueCall>(self);
    if (c->state == 1) {
        if (c->op == QueueOp::Join) return join_step(c, Value::none(), exception, out);
        return leave_waiting(c, exception);
    }
    c->state = 2;
    raise_value(exception);
    return SendResult::Error;
}

const char* const kQueueCallNames[] = {"Queue.put", "Queue.get", "Queue.join"};

Value queue_call_repr(Value self) {
    return native_coroutine_repr(self, kQueueCallNames[static_cast<int>(as<QueueCall>(self)->op)]);
}

const char* queue_call_take_unawaited(Object* self) {
    auto* c = static_cast<QueueCall*>(self);
    if (c->state != 0 || c->unawaited_reported) return nullptr;
    c->unawaited_reported = true;
    return kQueueCallNames[static_cast<int>(c->op)];
}

void queue_call_trace(Object* self, Tracer& tracer) {
    auto* c = static_cast<QueueCall*>(self);
    tracer.mark(c->queue);
    tracer.mark(c->item);
    tracer.mark(c->waiter);
}

Value make_call(Value queue, QueueOp op, Value item = Value::null()) {
    QueueCall* c = heap().make<QueueCall>(types.queue_call);
    c->queue = self_queue(queue);
    c->op = op;
    c->item = item;
    return Value::object(c);
}

// ---- methods

Value m_put(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("put", nargs, kwnames, 1, 1)) return Value::null();
    return make_call(args[0], QueueOp::Put, args[1]);
}

Value m_get(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("get", nargs, kwnames, 0, 0)) return Value::null();
    return make_call(args[0], QueueOp::Get);
}

Value m_join(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("join", nargs, kwnames, 0, 0)) return Value::null();
    return make_call(args[0], QueueOp::Join);
}

Value m_put_nowait(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("put_nowait", nargs, kwnames, 1, 1)) return Value::null();
    return put_nowait(self_queue(args[0]), args[1]);
}

Value m_get_nowait(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("get_nowait", nargs, kwnames, 0, 0)) return Value::null();
    return get_nowait(self_queue(args[0]));
}

Value m_qsize(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("qsize", nargs, kwnames, 0, 0)) return Value::null();
    return qsize_value(self_queue(args[0]));
}

Value m_empty(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("empty", nargs, kwnames, 0, 0)) return Value::null();
    return empty_value(self_queue(args[0]));
}

Value m_full(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("full", nargs, kwnames, 0, 0)) return Value::null();
    return full_value(self_queue(args[0]));
}

Value m_task_done(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("task_done", nargs, kwnames, 0, 0)) return Value::null();
    QueueObject* q = self_queue(args[0]);
    if (q->unfinished_tasks <= 0) return raise(exc.ValueError, "task_done() called too many times");
    q->unfinished_tasks -= 1;
    if (q->unfinished_tasks == 0 && !q->finished.is_null() &&
        call_method(q->finished, name("set"), nullptr, 0).is_null())
        return Value::null();
    return Value::none();
}

Value m_get_loop(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("_get_loop", nargs, kwnames, 0, 0)) return Value::null();
    return get_loop(self_queue(args[0]));
}

// _init(maxsize) of all three: a new list (Queue's stands for CPython's deque).
Value m_init_storage(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("_init", nargs, kwnames, 1, 1)) return Value::null();
    QueueObject* q = self_queue(args[0]);
    q->items = Value::object(make_list());
    q->head = 0;
    return Value::none();
}

Value m_append(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("_put", nargs, kwnames, 1, 1)) return Value::null();
    return append_item(self_queue(args[0]), args[1]) ? Value::none() : Value::null();
}

Value m_heap_push(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("_put", nargs, kwnames, 1, 1)) return Value::null();
    return heap_push(self_queue(args[0]), args[1]) ? Value::none() : Value::null();
}

Value m_pop_first(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("_get", nargs, kwnames, 0, 0)) return Value::null();
    return pop_first(self_queue(args[0]));
}

Value m_pop_last(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("_get", nargs, kwnames, 0, 0)) return Value::null();
    return pop_last(self_queue(args[0]));
}

Value m_heap_pop(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("_get", nargs, kwnames, 0, 0)) return Value::null();
    return heap_pop(self_queue(args[0]));
}

// Queue._format(): what repr() and str() show after the class name.
Value format_queue(QueueObject* q) {
    if (q->maxsize.is_null()) return missing(q, "_maxsize");
    bool ok = true;
    std::string text = "maxsize=" + repr_string(q->maxsize, &ok);
    if (!ok) return Value::null();
    if (!q->items.is_null()) {
        Value items = items_of(q);
        Root keep(items);
        int t = truthy(items);
        if (t < 0) return Value::null();
        if (t) {
            List* copy = make_list();
            Root keep_copy(Value::object(copy));
            if (!list_extend(copy, items)) return Value::null();
            text += " _queue=" + repr_string(Value::object(copy), &ok);
            if (!ok) return Value::null();
        }
    }
    if (!q->getters.empty()) text += " _getters[" + std::to_string(q->getters.size()) + "]";
    if (!q->putters.empty()) text += " _putters[" + std::to_string(q->putters.size()) + "]";
    if (q->unfinished_tasks) text += " tasks=" + std::to_string(q->unfinished_tasks);
    return str_value(text);
}

Value m_format(Value* args, int nargs, Tuple* kwnames) {
    if (!method_args("_format", nargs, kwnames, 0, 0)) return Value::null();
    return format_queue(self_queue(args[0]));
}

// __repr__ and __str__: '<Queue at 0x... maxsize=...>' and '<Queue maxsize=...>'.
Value describe(Value self, bool with_address) {
    QueueObject* q = self_queue(self);
    Value format = q->type->is_builtin ? format_queue(q) : call_on(q, "_format");
    if (format.is_null()) return format;
    Value text = to_str(format);
    if (text.is_null()) return text;
    std::string prefix = "<" + q->type->name;
    if (with_address) {
        char address[32];
        std::snprintf(address, sizeof address, " at %#llx",
                      static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(q)));
        prefix += address;
    }
    return str_value(prefix + " " + std::string(str_view(text)) + ">");
}

Value queue_repr(Value self) { return describe(self, true); }
Value queue_str(Value self) { return describe(self, false); }

bool init_queue(QueueObject* q, Value maxsize) {
    q->maxsize = maxsize;
    q->getters.clear();
    q->putters.clear();
    q->unfinished_tasks = 0;
    q->finished = Value::null();
    if (q->type->is_builtin) {
        q->items = Value::object(make_list());
        q->head = 0;
        return true;
    }
    return !call_on(q, "_init", &maxsize, 1).is_null();
}

Value m_init(Value* args, int nargs, Tuple* kwnames) {
    static const Signature sig("__init__", "self, maxsize=0");
    Value a[2];
    if (!sig.bind(args, nargs, kwnames, a)) return Value::null();
    return init_queue(self_queue(a[0]), a[1]) ? Value::none() : Value::null();
}

Value queue_new(Type* type, Value* args, int nargs, Tuple* kwnames) {
    QueueObject* q = heap().make<QueueObject>(type);
    Value self = Value::object(q);
    // A class deriving from a queue gets its __init__ called after this (instantiate_class).
    if (!type->is_builtin) return self;
    static const Signature sig("Queue", "maxsize=0");
    Value maxsize;
    if (!sig.bind(args, nargs, kwnames, &maxsize)) return Value::null();
    return init_queue(q, maxsize) ? self : Value::null();
}

void queue_trace(Object* self, Tracer& tracer) {
    auto* q = static_cast<QueueObject*>(self);
    tracer.mark(q->attrs);
    tracer.mark(q->maxsize);
    tracer.mark(q->items);
    for (Future* f : q->getters) tracer.mark(f);
    for (Future* f : q->putters) tracer.mark(f);
    tracer.mark(q->finished);
    tracer.mark(q->loop);
}

void queue_destroy(Object* self) { static_cast<QueueObject*>(self)->~QueueObject(); }

// ---- attributes: CPython keeps them in the instance dict; here they are properties.

Value waiters_list(const std::deque<Future*>& waiters) {
    List* l = make_list();
    for (Future* f : waiters) list_append(l, Value::object(f));
    return Value::object(l);
}

// A property's getter and setter are bound to the attribute's name: args[0] is the name,
// args[1] the queue (and args[2] the new value).
Value attribute_get(Value* args, int nargs, Tuple*) {
    if (nargs != 2 || !isinstance(args[1], types.queue))
        return raise(exc.TypeError, "queue attribute getter takes a queue");
    QueueObject* q = self_queue(args[1]);
    std::string_view attr = str_view(args[0]);
    if (attr == "_queue") return items_of(q);
    if (attr == "_maxsize" || attr == "maxsize")
        return q->maxsize.is_null() ? missing(q, "_maxsize") : q->maxsize;
    if (attr == "_getters") return waiters_list(q->getters);
    if (attr == "_putters") return waiters_list(q->putters);
    if (attr == "_unfinished_tasks") return make_int(q->unfinished_tasks);
    if (attr == "_finished") return finished_event(q);
    return q->loop;
}

Value attribute_set(Value* args, int nargs, Tuple*) {
    if (nargs != 3 || !isinstance(args[1], types.queue))
        return raise(exc.TypeError, "queue attribute setter takes a queue and a value");
    QueueObject* q = self_queue(args[1]);
    std::string_view attr = str_view(args[0]);
    Value v = args[2];
    if (attr == "_queue") {
        compact(q);
        q->items = v;
    } else if (attr == "_maxsize") {
        q->maxsize = v;
    } else if (attr == "_unfinished_tasks") {
        if (!v.is_small_int()) return raise(exc.TypeError, "_unfinished_tasks must be an int");
        q->unfinished_tasks = v.as_small_int();
    } else if (attr == "_finished") {
        q->finished = v;
    } else {
        q->loop = v;
    }
    return Value::none();
}

void add_attributes(Type* type) {
    struct Attribute {
        const char* name;
        bool settable;
    };
    static const Attribute attributes[] = {
        {"_queue", true},    {"_maxsize", true},          {"maxsize", false},  {"_getters", false},
        {"_putters", false}, {"_unfinished_tasks", true}, {"_finished", true}, {"_loop", true},
    };
    for (const Attribute& a : attributes) {
        Value attr_name = Value::object(intern(a.name));
        Value accessors[2] = {
            Value::object(make_builtin(a.name, attribute_get, attr_name)),
            a.settable ? Value::object(make_builtin(a.name, attribute_set, attr_name))
                       : Value::none(),
        };
        Value property = call(Value::object(property_type), accessors, 2);
        dict_set_str(type->dict, a.name, property);
    }
}

Type* make_queue_type(const char* type_name, Type* base, const MethodDef* methods) {
    Type* t = make_builtin_type(type_name, Layout::Queue, base);
    t->module = "asyncio.queues";
    t->flags |= kTypeBaseClass;
    add_methods(t, methods);
    inherit_slots(t);
    return t;
}

} // namespace

Value native_coroutine_repr(Value self, const char* qualname) {
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "<coroutine object %s at %p>", qualname,
                  static_cast<void*>(self.as_object()));
    return str_value(buffer);
}

bool is_queue_coroutine_method(NativeFn fn) { return fn == m_put || fn == m_get || fn == m_join; }

void setup_queue_types() {
    static const MethodDef queue_methods[] = {
        {"__init__", m_init},
        {"put", m_put},
        {"get", m_get},
        {"join", m_join},
        {"put_nowait", m_put_nowait},
        {"get_nowait", m_get_nowait},
        {"qsize", m_qsize},
        {"empty", m_empty},
        {"full", m_full},
        {"task_done", m_task_done},
        {"_get_loop", m_get_loop},
        {"_format", m_format},
        {"_init", m_init_storage},
        {"_put", m_append},
        {"_get", m_pop_first},
        {nullptr, nullptr},
    };
    static const MethodDef lifo_methods[] = {
        {"_init", m_init_storage}, {"_put", m_append}, {"_get", m_pop_last}, {nullptr, nullptr}};
    static const MethodDef priority_methods[] = {
        {"_init", m_init_storage}, {"_put", m_heap_push}, {"_get", m_heap_pop}, {nullptr, nullptr}};
    types.queue = make_queue_type("Queue", nullptr, queue_methods);
    Type* q = types.queue;
    q->new_instance = queue_new;
    q->repr = queue_repr;
    q->str = queue_str;
    q->trace = queue_trace;
    q->destroy = queue_destroy;
    add_attributes(q);
    add_class_getitem(q);
    types.lifo_queue = make_queue_type("LifoQueue", q, lifo_methods);
    types.priority_queue = make_queue_type("PriorityQueue", q, priority_methods);

    types.queue_call = make_native_coroutine_type(queue_call_send, queue_call_throw,
                                                  queue_call_repr, queue_call_trace);
    types.queue_call->destroy = vm::warn_if_unawaited;
    types.queue_call->take_unawaited = queue_call_take_unawaited;
}

void add_queues_module(Module* asyncio) {
    Module* m = make_module("asyncio.queues");
    Root keep(Value::object(m));
    const std::pair<const char*, Type*> names[] = {
        {"Queue", types.queue},           {"PriorityQueue", types.priority_queue},
        {"LifoQueue", types.lifo_queue},  {"QueueFull", types.QueueFull},
        {"QueueEmpty", types.QueueEmpty},
    };
    Tuple* all = make_tuple(std::size(names));
    dict_set_str(m->dict, "__all__", Value::object(all));
    for (size_t i = 0; i < std::size(names); ++i) {
        all->items[i] = Value::object(intern(names[i].first));
        dict_set_str(m->dict, names[i].first, Value::object(names[i].second));
        dict_set_str(asyncio->dict, names[i].first, Value::object(names[i].second));
    }
    dict_set_str(asyncio->dict, "queues", Value::object(m));
    dict_set(sys_modules(), str_value("asyncio.queues"), Value::object(m));
}

}  // namespace apy::aio
