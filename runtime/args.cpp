#include "runtime/args.h"

#include <cstdlib>

#include "runtime/errors.h"
#include "runtime/ops.h"

namespace apy::rt {

namespace {

std::string trim(std::string s) {
    size_t b = s.find_first_not_of(' ');
    size_t e = s.find_last_not_of(' ');
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

Value parse_default(const std::string& text, bool* optional) {
    if (text == "?") {
        *optional = true;
        return Value::null();
    }
    if (text == "None") return Value::none();
    if (text == "True") return Value::boolean(true);
    if (text == "False") return Value::boolean(false);
    if (!text.empty() && (text[0] == '\'' || text[0] == '"'))
        return Value::object(intern(text.substr(1, text.size() - 2)));
    if (text.find_first_of(".e") != std::string::npos) return Value::from_double(std::atof(text.c_str()));
    return Value::small_int(std::atoll(text.c_str()));
}

const char* plural(int n) { return n == 1 ? "" : "s"; }

}  // namespace

Signature::Signature(const char* function_name, const char* parameters)
    : function_name_(function_name) {
    std::string spec = parameters;
    bool keyword_only = false;
    size_t start = 0;
    while (start <= spec.size()) {
        size_t comma = spec.find(',', start);
        if (comma == std::string::npos) comma = spec.size();
        std::string item = trim(spec.substr(start, comma - start));
        start = comma + 1;
        if (item.empty()) continue;
        if (item == "/") {
            for (Param& p : params_) p.positional_only = true;
            continue;
        }
        if (item == "*") {
            keyword_only = true;
            continue;
        }
        Param param;
        if (item.rfind("**", 0) == 0) {
            param.var_keyword = true;
            item = item.substr(2);
        } else if (item[0] == '*') {
            param.var_positional = true;
            keyword_only = true;
            item = item.substr(1);
        }
        size_t eq = item.find('=');
        if (eq != std::string::npos) {
            param.default_value = parse_default(trim(item.substr(eq + 1)), &param.optional);
            item = trim(item.substr(0, eq));
        }
        param.name = item;
        param.keyword_only = keyword_only && !param.var_positional && !param.var_keyword;
        if (!param.keyword_only && !param.var_positional && !param.var_keyword) ++positional_count_;
        params_.push_back(param);
    }
    for (int i = 0; i < parameter_count(); ++i) {
        const Param& p = params_[i];
        if (p.var_positional || p.var_keyword)
            simple_ = false;
        else if (p.default_value.is_null() && !p.optional)
            min_args_ = i + 1;
    }
}

bool Signature::bind(Value* args, int nargs, Tuple* kwnames, Value* out) const {
    int count = parameter_count();
    if (simple_ && (!kwnames || kwnames->size == 0) && nargs >= min_args_ &&
        nargs <= positional_count_) {
        for (int i = 0; i < nargs; ++i) out[i] = args[i];
        for (int i = nargs; i < count; ++i) out[i] = params_[i].default_value;
        return true;
    }
    const char* fname = function_name_.c_str();
    for (int i = 0; i < count; ++i) out[i] = Value::null();
    int var_positional = -1, var_keyword = -1;
    for (int i = 0; i < count; ++i) {
        if (params_[i].var_positional) var_positional = i;
        if (params_[i].var_keyword) var_keyword = i;
    }
    int positional = std::min(nargs, positional_count_);
    if (nargs > positional_count_ && var_positional < 0) {
        if (positional_count_ == 0)
            raise_format(exc.TypeError, "%s() takes no positional arguments", fname);
        else
            raise_format(exc.TypeError, "%s() takes at most %d argument%s (%d given)", fname,
                         positional_count_, plural(positional_count_), nargs);
        return false;
    }
    for (int i = 0; i < positional; ++i) out[i] = args[i];
    if (var_positional >= 0)
        out[var_positional] = Value::object(
            make_tuple(args + positional, nargs > positional ? nargs - positional : 0));
    Dict* extra = nullptr;
    if (kwnames) {
        for (int64_t k = 0; k < kwnames->size; ++k) {
            Value name = kwnames->items[k];
            std::string_view key = str_view(name);
            int target = -1;
            for (int i = 0; i < count; ++i)
                if (!params_[i].var_positional && !params_[i].var_keyword &&
                    params_[i].name == key) {
                    target = i;
                    break;
                }
            if (target >= 0 && params_[target].positional_only) target = -1;
            if (target < 0) {
                if (var_keyword < 0) {
                    raise_format(exc.TypeError, "%s() got an unexpected keyword argument '%.*s'",
                                 fname, static_cast<int>(key.size()), key.data());
                    return false;
                }
                if (!extra) extra = make_dict();
                dict_set(extra, name, args[nargs + k]);
                continue;
            }
            if (!out[target].is_null()) {
                raise_format(exc.TypeError, "argument for %s() given by name ('%.*s') and position (%d)",
                             fname, static_cast<int>(key.size()), key.data(), target + 1);
                return false;
            }
            out[target] = args[nargs + k];
        }
    }
    if (var_keyword >= 0) out[var_keyword] = Value::object(extra ? extra : make_dict());
    for (int i = 0; i < count; ++i) {
        const Param& p = params_[i];
        if (!out[i].is_null() || p.var_positional || p.var_keyword) continue;
        if (!p.default_value.is_null() || p.optional) {
            out[i] = p.default_value;
            continue;
        }
        if (p.keyword_only)
            raise_format(exc.TypeError, "%s() missing required keyword-only argument: '%s'", fname,
                         p.name.c_str());
        else if (p.positional_only)
            raise_format(exc.TypeError, "%s() takes at least %d positional argument%s (%d given)",
                         fname, i + 1, plural(i + 1), nargs);
        else
            raise_format(exc.TypeError, "%s() missing required argument '%s' (pos %d)", fname,
                         p.name.c_str(), i + 1);
        return false;
    }
    return true;
}

bool check_no_kwargs(const char* name, Tuple* kwnames) {
    if (!kwnames || kwnames->size == 0) return true;
    raise_format(exc.TypeError, "%s() takes no keyword arguments", name);
    return false;
}

bool check_arg_count(const char* name, int nargs, int min, int max) {
    if (nargs >= min && nargs <= max) return true;
    if (min == max && min == 1)
        raise_format(exc.TypeError, "%s() takes exactly one argument (%d given)", name, nargs);
    else if (min == max && min == 0)
        raise_format(exc.TypeError, "%s() takes no arguments (%d given)", name, nargs);
    else if (nargs < min)
        raise_format(exc.TypeError, "%s expected at least %d argument%s, got %d", name, min,
                     plural(min), nargs);
    else
        raise_format(exc.TypeError, "%s expected at most %d argument%s, got %d", name, max,
                     plural(max), nargs);
    return false;
}

}  // namespace apy::rt
