// The interpreter: runs chains of frames. It knows nothing of event loops; an
// await that cannot complete makes a coroutine's run() return Yielded, and
// whoever resumed the coroutine (a task, later) decides when to resume it.
#pragma once

#include "runtime/objects.h"
#include "vm/frame.h"

namespace apy::vm {

enum class ExecStatus : uint8_t { Returned, Raised, Yielded };

// Runs [entry] (marked is_entry; its back link set by the caller) and every
// frame it calls, until [entry] returns (*result = the value), raises (the
// exception is pending) or yields (*result = the value yielded). With [thrown],
// the frame resumes by raising it at its current instruction (generator.throw()).
ExecStatus run(Frame* entry, rt::Value* result, rt::Value thrown = rt::Value::null());

// Calls an apy function from native code (nested dispatch loop).
rt::Value call_function(rt::Function* function, rt::Value* args, int nargs, rt::Tuple* kwnames);

// Runs module-level code in [globals] (which is also its locals).
rt::Value run_module_code(Code* code, rt::Dict* globals);

// Runs a class body (the function __build_class__ gets) with [ns] as its locals; returns
// what the body returns (the __class__ cell or None), null on error.
rt::Value run_class_body(rt::Function* body, rt::Dict* ns);

// What `await v` waits on: [v] itself when it is a coroutine or a native awaitable, else
// the iterator v.__await__() returns; null with TypeError pending when there is none.
// [where] names the construct in CPython's messages: 0 await, 1 __aenter__, 2 __aexit__,
// 3 __anext__.
rt::Value awaitable_of(rt::Value v, uint32_t where);

// Binds call arguments into a new frame for [function] (CPython's TypeErrors on a mismatch).
Frame* frame_for_call(rt::Function* function, rt::Value* args, int nargs, rt::Tuple* kwnames);

// The number of apy frames running, checked against rt::recursion_limit.
extern int call_depth;

}  // namespace apy::vm
