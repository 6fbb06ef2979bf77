#include "runtime/clock.h"

#include <chrono>
#include <thread>

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
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

}  // namespace apy::rt
