// The time module: wall clock, monotonic clocks and sleep.
#include "runtime/args.h"
#include "runtime/clock.h"
#include "runtime/errors.h"
#include "runtime/interrupt.h"
#include "runtime/numbers.h"
#include "runtime/runtime.h"

#include <cmath>
#include <cstdint>

namespace apy::rt {

namespace {

double seconds_since_epoch() { return wall_now(); }
double monotonic_seconds() { return monotonic_now(); }

Value time_time(Value*, int nargs, Tuple* kw) {
    if (!check_no_kwargs("time", kw) || !check_arg_count("time", nargs, 0, 0)) return Value::null();
    return Value::from_double(seconds_since_epoch());
}

Value time_monotonic(Value*, int nargs, Tuple* kw) {
    if (!check_no_kwargs("monotonic", kw) || !check_arg_count("monotonic", nargs, 0, 0))
        return Value::null();
    return Value::from_double(monotonic_seconds());
}

Value time_time_ns(Value*, int nargs, Tuple* kw) {
    if (!check_no_kwargs("time_ns", kw) || !check_arg_count("time_ns", nargs, 0, 0))
        return Value::null();
    return make_int(static_cast<int64_t>(wall_now() * 1e9));
}

Value time_sleep(Value* args, int nargs, Tuple* kw) {
    if (!check_no_kwargs("sleep", kw) || !check_arg_count("sleep", nargs, 1, 1)) return Value::null();
    // CPython converts the delay to int64 nanoseconds first (_PyTime_FromSecondsObject).
    constexpr int64_t kNanoseconds = 1000000000;
    double seconds;
    if (args[0].is_double()) {
        seconds = args[0].as_double();
        if (std::isnan(seconds)) return raise(exc.ValueError, "Invalid value NaN (not a number)");
        double ns = seconds * 1e9;
        if (!(ns >= -9223372036854775808.0 && ns < 9223372036854775808.0))
            return raise(exc.OverflowError, "timestamp out of range for platform time_t");
    } else if (is_int(args[0])) {
        int64_t n;
        if (!int_to_int64(args[0], &n) || n > INT64_MAX / kNanoseconds ||
            n < INT64_MIN / kNanoseconds)
            return raise(exc.OverflowError, "timestamp too large to convert to C _PyTime_t");
        seconds = static_cast<double>(n);
    } else {
        return raise_format(exc.TypeError, "'%s' object cannot be interpreted as an integer",
                            type_name(args[0]).c_str());
    }
    if (seconds < 0) return raise(exc.ValueError, "sleep length must be non-negative");
    sleep_for(seconds);
    if (raise_if_interrupted()) return Value::null();  // Ctrl-C in the REPL
    return Value::none();
}

}  // namespace

Module* make_time_module() {
    Module* m = make_module("time");
    static const MethodDef functions[] = {
        {"time", time_time},           {"monotonic", time_monotonic},
        {"perf_counter", time_monotonic}, {"time_ns", time_time_ns},
        {"sleep", time_sleep},         {nullptr, nullptr},
    };
    for (const MethodDef* f = functions; f->name; ++f)
        dict_set_str(m->dict, f->name, Value::object(make_builtin(f->name, f->fn)));
    return m;
}

}  // namespace apy::rt
