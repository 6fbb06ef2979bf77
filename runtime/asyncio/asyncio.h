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

// What a ready-queue entry or a future's done callback does. Only Call entries are
// Handle objects (what call_soon and call_later return to apy code); the loop's own
// steps, wake-ups and timers are entries held by value, so that they allocate nothing.
enum class HandleKind : uint8_t {
    Call,            // run Handle [target]: its callback (with the future, for a done callback)
    TaskStep,        // step task [target] (arg: exception to throw in, or null)
    TaskWakeup,      // future [arg] finished: wake task [target]
    SleepTimer,      // sleep [target]'s delay is over: set its future's result unless cancelled
    GatherChildDone, // child [arg] of gathering future [target] finished
    StopLoop,        // run_until_complete's done callback: stop loop [target]
};

// A HandleKind fits in the low bits of an 8-byte-aligned address (ReadyEntry, CallbackList).
constexpr uintptr_t kHandleKindMask = 7;
static_assert(static_cast<uintptr_t>(HandleKind::StopLoop) <= kHandleKindMask);

// A handle returned to apy code by call_soon, call_later and call_at.
struct Handle : rt::Object {
    bool cancelled = false;
    bool scheduled = false; // a timer still in the heap
    double when = 0;        // timers only
    EventLoop* loop = nullptr;
    Value target = Value::null(); // the callback
    Value arg = Value::null();    // a tuple of the arguments (null: none)
};

// A ready-queue entry, two words: the target object's address (8-byte aligned) carries the
// kind in its low bits.
class ReadyEntry {
  public:
    ReadyEntry(HandleKind kind, Value target, Value arg)
        : arg(arg),
          bits_(reinterpret_cast<uintptr_t>(target.as_object()) | static_cast<uintptr_t>(kind)) {}
    HandleKind kind() const { return static_cast<HandleKind>(bits_ & kHandleKindMask); }
    Value target() const {
        return Value::object(reinterpret_cast<rt::Object*>(bits_ & ~kHandleKindMask));
    }

    Value arg;

  private:
    uintptr_t bits_;
};

// A timer in the loop's heap: a TimerHandle, or a sleep (see module.cpp).
struct TimerEntry {
    double when;
    uint64_t sequence; // ties between equal deadlines go first-in, first-out
    rt::Object* target;
};

struct EventLoop : rt::Object {
    std::deque<ReadyEntry> ready;
    std::vector<TimerEntry> timers; // a binary heap on (when, sequence)
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

// A future's done callback: an apy callable (kind Call), or a native one that the loop runs
// with the future as its argument (TaskWakeup, GatherChildDone, StopLoop).
struct Callback {
    HandleKind kind = HandleKind::Call;
    Value target = Value::null();
};

// A future's done callbacks, in order. Most futures get exactly one (the task or gather
// waiting on them), kept inline; the vector for the others is made only when needed. The
// first callback's kind shares a word with the vector's address (its low bits), so that
// the list takes two words.
class CallbackList {
  public:
    CallbackList() = default;
    CallbackList(const CallbackList&) = delete;
    CallbackList& operator=(const CallbackList&) = delete;
    ~CallbackList() { delete rest(); }

    bool empty() const { return first_target_.is_null(); }
    size_t size() const { return empty() ? 0 : 1 + (rest() ? rest()->size() : 0); }
    Callback operator[](size_t i) const { return i == 0 ? first() : (*rest())[i - 1]; }
    void push_back(Callback callback) {
        if (empty()) {
            set_first(callback);
            return;
        }
        if (!rest()) bits_ |= reinterpret_cast<uintptr_t>(new std::vector<Callback>());
        rest()->push_back(callback);
    }
    std::vector<Callback> to_vector() const {
        std::vector<Callback> all;
        if (!empty()) all.push_back(first());
        if (rest()) all.insert(all.end(), rest()->begin(), rest()->end());
        return all;
    }
    void assign(const std::vector<Callback>& callbacks) {
        clear();
        for (const Callback& c : callbacks) push_back(c);
    }
    template <class Pred> void remove_if(Pred pred) {
        std::vector<Callback> all = to_vector();
        all.erase(std::remove_if(all.begin(), all.end(), pred), all.end());
        assign(all);
    }
    // Empties the list: its first callback, the others moved into [rest].
    Callback take(std::vector<Callback>& others) {
        Callback first_callback = first();
        if (rest()) others.swap(*rest());
        clear();
        return first_callback;
    }
    void trace(rt::Tracer& tracer) const {
        tracer.mark(first_target_);
        if (rest())
            for (const Callback& c : *rest()) tracer.mark(c.target);
    }

  private:
    static_assert(alignof(std::vector<Callback>) > kHandleKindMask);

    std::vector<Callback>* rest() const {
        return reinterpret_cast<std::vector<Callback>*>(bits_ & ~kHandleKindMask);
    }
    Callback first() const {
        return {static_cast<HandleKind>(bits_ & kHandleKindMask), first_target_};
    }
    void set_first(Callback callback) {
        first_target_ = callback.target;
        bits_ = (bits_ & ~kHandleKindMask) | static_cast<uintptr_t>(callback.kind);
    }
    void clear() {
        delete rest();
        bits_ = 0;
        first_target_ = Value::null();
    }

    Value first_target_ = Value::null(); // null: no callbacks (then the vector is empty too)
    uintptr_t bits_ = 0;                 // the vector of the others (or 0) | the first's kind
};

struct Future : rt::Object {
    EventLoop* loop = nullptr;
    FutureState state = FutureState::Pending;
    bool blocking = false;        // _asyncio_future_blocking
    bool log_traceback = false;   // an exception nobody retrieved yet
    bool must_cancel = false;     // tasks: cancel at the next step; gathers: _cancel_requested
    uint8_t sleep_state = 0;      // sleeps (module.cpp): 0 not started, 1 waiting, 2 done
    bool unawaited_reported = false; // sleeps: "never awaited" shown (Type::take_unawaited)
    // Two fields serve what CPython keeps in four (_result, _exception, _cancel_message,
    // _cancelled_exc), as no state needs more than two of them:
    // - finished: the result, or the exception (not null) the future was finished with;
    // - pending or cancelled: the cancel message (None: none; a pending task's is the message
    //   of a cancel() to come) and, for a task its coroutine cancelled, the CancelledError
    //   it raised (null: none). A pending sleep keeps the result to give in `result`.
    Value result = Value::none();
    Value exception = Value::null();
    CallbackList callbacks;

    Value& cancel_message() { return result; }
    Value& cancelled_exc() { return exception; }
};

// Tasks and gathering futures extend the layout (types.task, types.gathering_future): a
// plain future (a sleep's, a queue waiter's) stays small.
struct Task : Future {
    Value coro = Value::null();
    Value waiter = Value::null();  // the future the task waits on
    Value name = Value::null();
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
// Queues a native step for the next round (call_soon for the loop's own work).
void call_soon(EventLoop* loop, HandleKind kind, Value target, Value arg = Value::null());
// Queues a Handle calling [callable] with [args] (a tuple, or null: none).
Handle* call_soon_callable(EventLoop* loop, Value callable, Value args);
// Schedules sleep [target] to fire in [delay] seconds (see module.cpp).
void call_later_sleep(EventLoop* loop, double delay, rt::Object* sleep);
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
void future_add_callback(Future* f, Callback callback);
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
// The sleep's delay is over (a SleepTimer entry ran); whether its timer was cancelled.
void sleep_timer_fired(rt::Object* sleep);
bool sleep_timer_cancelled(rt::Object* sleep);
// A sleep that just yielded itself as the future its task is to wait on.
bool is_sleep_future(Value v);
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
