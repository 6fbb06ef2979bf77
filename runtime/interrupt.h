// Ctrl-C as KeyboardInterrupt. The SIGINT handler only sets a flag; the VM (at backward
// jumps), the event loop (between callbacks and in its waits) and blocking sleeps check it
// at safe points and raise KeyboardInterrupt there. The REPL and scripts install the
// handler (a script started with SIGINT ignored keeps ignoring it, as CPython does); an
// uncaught KeyboardInterrupt ends a script by SIGINT after its traceback (cli/main.cpp).
#pragma once

#include <csignal>

namespace apy::rt {

extern volatile std::sig_atomic_t g_interrupt_requested;

// Installs the flag-setting handler for SIGINT, without SA_RESTART so that a blocking
// poll() or nanosleep() returns early with EINTR. Call it on the interpreter's thread: the
// signal is forwarded there when another thread receives it.
void install_interrupt_handler();

// True (and the flag cleared) when Ctrl-C was pressed since the last check.
inline bool take_interrupt() {
    if (!g_interrupt_requested) return false;
    g_interrupt_requested = 0;
    return true;
}

// When Ctrl-C was pressed: clears the flag, raises KeyboardInterrupt and returns true.
bool raise_if_interrupted();

}  // namespace apy::rt
