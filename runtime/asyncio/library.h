// The parts of apy's asyncio written in apy itself (locks, timeouts, task
// groups, wait/wait_for/as_completed/shield, Runner): each concept's source lives in its
// own .cpp file, as CPython's Lib/asyncio has one module per concept, and runs as module
// asyncio.<name> when asyncio is first imported. Their public names join asyncio's.
#pragma once

#include "runtime/objects.h"

namespace apy::aio {

extern const char* const kLocksSource;       // locks.cpp
extern const char* const kTimeoutsSource;    // timeouts.cpp
extern const char* const kWaitSource;        // wait.cpp
extern const char* const kTaskGroupsSource;  // taskgroups.cpp
extern const char* const kRunnersSource;     // runners.cpp

// Adds the loop methods the library needs (call_exception_handler ...) and the private
// helpers it imports, then runs every library module and copies its __all__ into
// [asyncio], which must already be in sys.modules. Prints the error and aborts when a
// library module fails (a bug in apy).
void load_library(rt::Module* asyncio);

}  // namespace apy::aio
