// Helpers shared by the str implementation files (str.cpp, str_methods.cpp,
// str_format.cpp). Not a public API: other code uses objects.h and unicode.h.
#pragma once

#include "runtime/objects.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace apy::rt {

// A str of [type] with [size] bytes of uninitialised data; finish_str once filled.
Str* alloc_str(Type* type, size_t size);
// Computes length and ascii from the data.
void finish_str(Str* s);
// A str of [type] (str or a subclass) holding [utf8].
Str* make_str_of_type(Type* type, std::string_view utf8);
// The one-character str for [cp] (cached below U+0100).
Value char_str(uint32_t cp);
inline Value str_result(std::string_view utf8) { return Value::object(make_str(utf8)); }

// Byte offset of code point [index] of s (0 <= index <= length).
size_t str_offset(const Str* s, int64_t index);
// Code point index of byte offset [offset] of s.
int64_t str_index(const Str* s, size_t offset);
// The code points of s.
std::vector<uint32_t> str_code_points(const Str* s);

// The str argument [v] of a method or null with TypeError "must be str, not int" pending.
Str* str_arg(Value v);
// A start/end argument (None or an index-like int), clamped into int64. False with TypeError.
bool slice_index_arg(Value v, int64_t* out);
// Clamps [start, end) as CPython's ADJUST_INDICES for a sequence of [length].
void adjust_indices(int64_t* start, int64_t* end, int64_t length);

// Binds positional-or-keyword parameters [names] with CPython's messages: positional
// arguments args[0..nargs), keyword values after them. out[i] stays null when not given.
bool bind_keywords(const char* name, const Value* args, int nargs, Tuple* kwnames,
                   std::initializer_list<const char*> names, Value* out);

// Registers the methods of str_methods.cpp.
void add_str_methods(Type* type);

}  // namespace apy::rt
