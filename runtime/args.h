// Binding the arguments of native functions to their parameters, from a
// signature written once, Python-style, next to the function:
//
//     static const Signature kSorted("sorted", "iterable, /, *, key=None, reverse=False");
//     Value out[3];
//     if (!kSorted.bind(args, nargs, kwnames, out)) return Value::null();
//
// Parameters before "/" are positional-only, after "*" keyword-only; "*args"
// collects extra positionals into a tuple and "**kwargs" extra keywords into a
// dict. A default is one of None, True, False, an int, a float or a quoted
// string; a parameter without a default is required; out[i] is null for an
// optional parameter written "=?" that was not passed. Errors are CPython's
// TypeErrors for arity and keywords.
#pragma once

#include <string>
#include <vector>

#include "runtime/objects.h"

namespace apy::rt {

class Signature {
public:
    Signature(const char* function_name, const char* parameters);

    // Fills out[0..parameter_count()); false with TypeError pending on a mismatch.
    bool bind(Value* args, int nargs, Tuple* kwnames, Value* out) const;
    int parameter_count() const { return static_cast<int>(params_.size()); }

private:
    struct Param {
        std::string name;
        Value default_value;  // null: required (or optional "=?")
        bool optional = false;
        bool positional_only = false;
        bool keyword_only = false;
        bool var_positional = false;
        bool var_keyword = false;
    };
    std::string function_name_;
    std::vector<Param> params_;
    int positional_count_ = 0;  // how many params can be filled by position
    // The fast path of bind: no *args or **kwargs parameter, and every parameter from
    // index min_args_ on has a default, so min_args_..positional_count_ positional
    // arguments without keywords bind by copying.
    bool simple_ = true;
    int min_args_ = 0;
};

// Quick checks for the common fixed shapes; the message names [name] as CPython does.
bool check_no_kwargs(const char* name, Tuple* kwnames);
bool check_arg_count(const char* name, int nargs, int min, int max);
// A builtin method's arguments (the receiver first, counted in [nargs]): no keywords and
// min..max others. Inline, as most calls pass: only the failing ones reach the checks.
inline bool method_args(const char* name, int nargs, Tuple* kwnames, int min, int max) {
    if (!kwnames && nargs - 1 >= min && nargs - 1 <= max) return true;
    return check_no_kwargs(name, kwnames) && check_arg_count(name, nargs - 1, min, max);
}

}  // namespace apy::rt
