// The unicodedata module: character names (name, lookup), from the lexer's name tables.
#include "lexer/unicode.h"
#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/runtime.h"
#include "runtime/unicode.h"

namespace apy::rt {

namespace {

// name(chr, default=?, /)
Value unicodedata_name(Value* args, int nargs, Tuple* kw) {
    if (!check_no_kwargs("name", kw) || !check_arg_count("name", nargs, 1, 2)) return Value::null();
    if (!is_str(args[0]) || as<Str>(args[0])->length != 1)
        return raise_format(exc.TypeError, "name() argument 1 must be a unicode character, not %s",
                            type_name(args[0]).c_str());
    size_t pos = 0;
    std::string name = lex::unicode::character_name(utf8_decode(str_view(args[0]), pos));
    if (!name.empty()) return str_value(name);
    if (nargs == 2) return args[1];
    return raise(exc.ValueError, "no such name");
}

// lookup(name, /)
Value unicodedata_lookup(Value* args, int nargs, Tuple* kw) {
    if (!check_no_kwargs("lookup", kw) || !check_arg_count("lookup", nargs, 1, 1))
        return Value::null();
    if (!is_str(args[0]))
        return raise_format(exc.TypeError, "a bytes-like object is required, not '%s'",
                            type_name(args[0]).c_str());
    std::string_view name = str_view(args[0]);
    if (name.size() > 256) return raise(exc.KeyError, "name too long");
    int32_t cp = lex::unicode::lookup_name(name);
    if (cp < 0)
        return raise_format(exc.KeyError, "undefined character name '%s'",
                            std::string(name).c_str());
    std::string out;
    utf8_encode(static_cast<uint32_t>(cp), out);
    return str_value(out);
}

}  // namespace

Module* make_unicodedata_module() {
    Module* m = make_module("unicodedata");
    static const MethodDef functions[] = {
        {"name", unicodedata_name},
        {"lookup", unicodedata_lookup},
        {nullptr, nullptr},
    };
    for (const MethodDef* f = functions; f->name; ++f)
        dict_set_str(m->dict, f->name, Value::object(make_builtin(f->name, f->fn)));
    dict_set_str(m->dict, "unidata_version", str_value("14.0.0"));
    return m;
}

}  // namespace apy::rt
