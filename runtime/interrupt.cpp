#include "runtime/interrupt.h"

#include "runtime/errors.h"

namespace apy::rt {

volatile std::sig_atomic_t g_interrupt_requested = 0;

namespace {
void on_sigint(int) { g_interrupt_requested = 1; }
}  // namespace

void install_interrupt_handler() {
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
