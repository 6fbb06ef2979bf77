// apy's built-in asyncio: the event loop, futures and tasks, mirroring
// CPython 3.11's Lib/asyncio (base_events.py, futures.py, tasks.py) so that
// tasks interleave exactly as they do there. The loop never looks at bytecode:
// a task resumes its coroutine through vm::generator_resume and learns whether
// it returned, raised or suspended on a future.
#pragma once

#include "runtime/objects.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace apy::aio {

using rt::Value;

struct EventLoop;
struct Future;

// What a handle does when it runs. Native kinds let the loop step tasks and
// wake them without making Python-level callable objects.
enum class HandleKind : uint8_t {
    Call,               // target(*args)
    TaskStep,           // step task [target] (arg: exception to throw in, or null)
    TaskWakeup,         // future [arg] finished: wake task [target]
    SetResultUnlessCancelled,  // future [target].set_result(arg) unless cancelled (sleep)
    GatherChildDone,    // child [arg] of gathering future [target] finished
    StopLoop,           // run_until_complete's done callback
};

struct Handle : rt::Object {
    HandleKind kind = HandleKind::Call;
    bool cancelled = false;
    bool scheduled = false;  // a timer still in the heap
    bool queued = false;     // a task's handle in the ready queue or a future's callbacks
    double when = 0;         // timers only
    uint64_t sequence = 0;   // ties between equal deadlines go first-in, first-out
    EventLoop* loop = nullptr;
    Value target = Value::null();
    Value arg = Value::null();  // Call: a tuple of the arguments (null: none)
};

struct EventLoop : rt::Object {
    std::deque<Handle*> ready;
    std::vector<Handle*> timers;  // a binary heap on (when, sequence)
    uint64_t next_sequence = 0;
    bool running = false;
    bool stopping = false;
    bool closed = false;
    Value exception_handler = Value::none();
    std::vector<Value> tasks;  // the pending tasks of this loop (all_tasks())
    std::vector<Value> failed_tasks;  // finished with an exception nobody may retrieve
    // Async generators first iterated while this loop ran, for shutdown_asyncgens(). Unlike
    // CPython's weak set they stay until then (finished ones are pruned as the list grows).
    std::vector<Value> asyncgens;
    size_t asyncgens_pruned_size = 0;
    bool asyncgens_shutdown_called = false;
    Value current_task = Value::none();
};

enum class FutureState : uint8_t { Pending, Cancelled, Finished };

// A future's done callbacks, in order. Most futures get exactly one (the task or gather
// waiting on them), kept inline; the vector for the others is made only when needed.
class CallbackList {
  public:
    bool empty() const { return first_.is_null(); }
    size_t size() const { return empty() ? 0 : 1 + (rest_ ? rest_->size() : 0); }
    Value operator[](size_t i) const { return i == 0 ? first_ : (*rest_)[i - 1]; }
    void push_back(Value callback) {
        if (empty()) {
            first_ = callback;
            return;
        }
        if (!rest_) rest_ = std::make_unique<std::vector<Value>>();
        rest_->push_back(callback);
    }
    std::vector<Value> to_vector() const {
        std::vector<Value> all;
        if (!empty()) all.push_back(first_);
        if (rest_) all.insert(all.end(), rest_->begin(), rest_->end());
        return all;
    }
    void assign(const std::vector<Value>& callbacks) {
        first_ = callbacks.empty() ? Value::null() : callbacks[0];
        rest_.reset();
        for (size_t i = 1; i < callbacks.size(); ++i) push_back(callbacks[i]);
    }
    template <class Pred> void remove_if(Pred pred) {
        std::vector<Value> all = to_vector();
        all.erase(std::remove_if(all.begin(), all.end(), pred), all.end());
        assign(all);
    }
    // Empties the list: its first callback, the others moved into [rest].
    Value take(std::vector<Value>& rest) {
        Value first = first_;
        first_ = Value::null();
        if (rest_) rest.swap(*rest_);
        rest_.reset();
        return first;
    }
    void trace(rt::Tracer& tracer) const {
        tracer.mark(first_);
        if (rest_) tracer.mark_all(*rest_);
    }

  private:
    Value first_ = Value::null(); // null: no callbacks (then rest_ is empty too)
    std::unique_ptr<std::vector<Value>> rest_;
};

struct Future : rt::Object {
    EventLoop* loop = nullptr;
    FutureState state = FutureState::Pending;
    bool blocking = false;        // _asyncio_future_blocking
    bool log_traceback = false;   // an exception nobody retrieved yet
    bool must_cancel = false;     // tasks: cancel at the next step; gathers: _cancel_requested
    Value result = Value::none();
    Value exception = Value::null();
    Value cancel_message = Value::none();
    Value cancelled_exc = Value::null();
    CallbackList callbacks; // Python callables or native Handles (not yet scheduled)
};

// Tasks and gathering futures extend the layout (types.task, types.gathering_future): a
// plain future (a sleep's, a queue waiter's) stays small.
struct Task : Future {
    Value coro = Value::null();
    Value waiter = Value::null();  // the future the task waits on
    Value name = Value::null();
    Handle* step = nullptr;  // reused for every step and wake-up (see task.cpp)
    int32_t task_index = -1;  // position in loop->tasks while pending
    int32_t num_cancels_requested = 0;
};

struct GatheringFuture : Future {
    std::vector<Value> children;
    int64_t finished_children = 0;
    int64_t distinct_children = 0;  // a child passed twice counts once
    bool return_exceptions = false;
};

struct Types {
    rt::Type* loop = nullptr;
    rt::Type* handle = nullptr;
    rt::Type* timer_handle = nullptr;
    rt::Type* future = nullptr;
    rt::Type* task = nullptr;
    rt::Type* gathering_future = nullptr;
    rt::Type* sleep = nullptr;
    rt::Type* queue = nullptr;
    rt::Type* lifo_queue = nullptr;
    rt::Type* priority_queue = nullptr;
    rt::Type* queue_call = nullptr; // what put(), get() and join() return
    rt::Type* CancelledError = nullptr;
    rt::Type* InvalidStateError = nullptr;
    rt::Type* QueueEmpty = nullptr;
    rt::Type* QueueFull = nullptr;
};
extern Types types;

// ---- loop.cpp
EventLoop* make_loop();
EventLoop* running_loop();  // null when no loop runs
// A native handle, not scheduled yet (it may wait among a future's callbacks).
Handle* make_handle(EventLoop* loop, HandleKind kind, Value target, Value arg = Value::null());
Handle* call_soon(EventLoop* loop, HandleKind kind, Value target, Value arg = Value::null());
Handle* call_later(EventLoop* loop, double delay, HandleKind kind, Value target,
                   Value arg = Value::null());
double loop_time(EventLoop* loop);
// Runs until [future] is done; false with the exception pending when the loop failed.
bool run_until_complete(EventLoop* loop, Future* future);
void close_loop(EventLoop* loop);
// For the REPL's session loop, which lives across entries and runs its tasks while the
// prompt waits. set_running_loop marks [loop] running (null: none) so that entries without
// await can create tasks (run_until_complete needs it unmarked). run_ready does one round
// without waiting (timers due, then ready handles); false with the exception pending when
// one stopped the loop (KeyboardInterrupt, SystemExit). next_wakeup: seconds until the loop
// has work, 0 when handles are ready, -1 when nothing is scheduled.
void set_running_loop(EventLoop* loop);
bool run_ready(EventLoop* loop);
double next_wakeup(EventLoop* loop);
void report_exception(EventLoop* loop, const std::string& message, Value exception, Value future);
void setup_loop_type();

// ---- future.cpp
Future* make_future(EventLoop* loop, rt::Type* type = nullptr);
// The parts of a future's tracing and destruction that subtypes share.
void trace_future_fields(Future* f, rt::Tracer& tracer);
void future_destroy(rt::Object* self);
bool is_future(Value v);
bool future_done(Future* f);
bool future_set_result(Future* f, Value result);     // false: InvalidStateError pending
bool future_set_exception(Future* f, Value exception);
bool future_cancel(Future* f, Value message);         // false: already done
// The result, or null with the exception (or CancelledError) pending.
Value future_result(Future* f);
void future_add_callback(Future* f, Value callback);  // a callable or a native Handle
Value make_cancelled_error(Future* f);
Value future_repr(Value self);
// Appends " cb=[...]" as a future's repr shows its done callbacks; false on error.
bool append_callbacks(Future* f, std::string* text);
rt::SendResult future_send(Value self, Value in, Value* out);
void setup_future_type();

// ---- task.cpp
Task* make_task(EventLoop* loop, Value coro, Value name);
void task_step(Task* task, Value thrown);
void task_wakeup(Task* task, Future* waited);
Value current_task(EventLoop* loop);
// Uses up [n] Task-N names: asyncio.run's shutdown runs two tasks in CPython
// (shutdown_asyncgens, shutdown_default_executor), which advance the counter.
void use_task_numbers(int n);
void setup_task_type();

// ---- module.cpp
// What asyncio.iscoroutine() accepts (collections.abc.Coroutine in CPython).
bool is_coroutine_value(Value v);
void gather_child_done(GatheringFuture* outer, Future* child);
// The type of a native awaitable standing for a coroutine (sleep(), Queue.get() ...): its
// name is coroutine and it has send(), throw() and close().
rt::Type* make_native_coroutine_type(rt::SendResult (*send)(Value, Value, Value*),
                                     rt::SendResult (*throw_in)(Value, Value, Value*),
                                     Value (*repr)(Value), void (*trace)(rt::Object*, rt::Tracer&));
rt::Module* make_asyncio_module();

// ---- queues.cpp
// "<coroutine object [qualname] at 0x...>": the repr of native awaitables standing for
// CPython's coroutines (sleep(), Queue.get() ...).
Value native_coroutine_repr(Value self, const char* qualname);
void setup_queue_types();
// Whether [fn] is Queue.put, get or join (async def methods in CPython).
bool is_queue_coroutine_method(rt::NativeFn fn);
// Makes module asyncio.queues and adds its names to [asyncio].
void add_queues_module(rt::Module* asyncio);

}  // namespace apy::aio
