#include "runtime/clock.h"

#include <time.h>

#include <chrono>

#include "runtime/interrupt.h"

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
    // nanosleep rather than std::this_thread::sleep_for, which resumes after EINTR: Ctrl-C
    // in the REPL must cut a sleep short (runtime/interrupt.h).
    double end = real_monotonic() + seconds;
    while (!g_interrupt_requested) {
        double left = end - real_monotonic();
        if (left <= 0) break;
        timespec ts;
        ts.tv_sec = static_cast<time_t>(left);
        ts.tv_nsec = static_cast<long>((left - static_cast<double>(ts.tv_sec)) * 1e9);
        nanosleep(&ts, nullptr);
    }
}

}  // namespace apy::rt
