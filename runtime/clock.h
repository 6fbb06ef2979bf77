// The clocks that time, loop.time() and the event loop read. Under virtual time
// (apy --virtual-time, or APY_VIRTUAL_TIME=1) they report a clock that only the
// event loop advances, jumping straight to the next timer when nothing is ready,
// so a program that sleeps an hour finishes at once with the same output.
#pragma once

namespace apy::rt {

void enable_virtual_time();
bool virtual_time_enabled();

double monotonic_now();  // seconds, for time.monotonic, perf_counter and loop.time()
double wall_now();       // seconds since the epoch, for time.time

// Waits [seconds] (advances the clock instead under virtual time).
void sleep_for(double seconds);

}  // namespace apy::rt
