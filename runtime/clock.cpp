#include "runtime/clock.h"

#include "runtime/interrupt.h"

#include <chrono>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

namespace apy::rt {

namespace {

bool g_virtual = false;
double g_virtual_offset = 0;  // virtual seconds elapsed since the program started
double g_start_monotonic = 0;
double g_start_wall = 0;

double real_monotonic() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

double real_wall() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

void enable_virtual_time() {
    g_virtual = true;
    g_start_monotonic = real_monotonic();
    g_start_wall = real_wall();
}

bool virtual_time_enabled() { return g_virtual; }

double monotonic_now() { return g_virtual ? g_start_monotonic + g_virtual_offset : real_monotonic(); }

double wall_now() { return g_virtual ? g_start_wall + g_virtual_offset : real_wall(); }

void sleep_for(double seconds) {
    if (seconds <= 0) return;
    if (g_virtual) {
        g_virtual_offset += seconds;
        return;
    }
    // Ctrl-C must cut a sleep short (runtime/interrupt.h): SIGINT stays blocked from the
    // flag's check until ppoll waits (it unblocks it while waiting), so a Ctrl-C that comes
    // in between still ends the wait instead of being noticed only after it.
    sigset_t sigint, old;
    sigemptyset(&sigint);
    sigaddset(&sigint, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigint, &old);
    double end = real_monotonic() + seconds;
    while (!g_interrupt_requested) {
        double left = end - real_monotonic();
        if (left <= 0) break;
        timespec ts;
        ts.tv_sec = static_cast<time_t>(left);
        ts.tv_nsec = static_cast<long>((left - static_cast<double>(ts.tv_sec)) * 1e9);
        ppoll(nullptr, 0, &ts, &old);
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace apy::rt
