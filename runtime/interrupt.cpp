#include "runtime/interrupt.h"

#include <pthread.h>

#include "runtime/errors.h"

namespace apy::rt {

volatile std::sig_atomic_t g_interrupt_requested = 0;

namespace {

pthread_t g_interpreter_thread;

void on_sigint(int) {
    g_interrupt_requested = 1;
    // The kernel may pick any thread that does not block SIGINT (apy runs on a thread of its
    // own, main() waiting in pthread_join): pass it on, so that the interpreter's blocking
    // call (ppoll, nanosleep, read) returns with EINTR.
    if (!pthread_equal(pthread_self(), g_interpreter_thread))
        pthread_kill(g_interpreter_thread, SIGINT);
}

}  // namespace

void install_interrupt_handler() {
    g_interpreter_thread = pthread_self();
    struct sigaction action = {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: waits wake up to notice the flag
    sigaction(SIGINT, &action, nullptr);
}

bool raise_if_interrupted() {
    if (!take_interrupt()) return false;
    raise_value(make_exception(exc.KeyboardInterrupt, make_tuple(0)));
    return true;
}

}  // namespace apy::rt
