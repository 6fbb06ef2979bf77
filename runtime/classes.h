// Classes defined in apy code: type creation (__build_class__, type(name, bases,
// dict)), the C3 method resolution order, instantiation (__new__ then __init__),
// slots that call dunder methods, and the descriptors classes use (staticmethod,
// classmethod, property, super, slot members). See types/class.cpp and
// types/descriptors.cpp.
#pragma once

#include "runtime/objects.h"

namespace apy::rt {

// Type::flags bits of classes (the low bits are object.h's kType* flags).
enum ClassFlags : uint32_t {
    kClassNoDict = 1u << 16,  // __slots__ without __dict__: no arbitrary instance attributes
};

// type(name, bases, dict) with metatype [meta] (type or a subclass of it); kwnames are the
// class keywords (passed to __init_subclass__).
Value type_new(Type* meta, Value* args, int nargs, Tuple* kwnames);
// Calling a class defined in apy code: __new__, then __init__ when the result is an instance.
Value instantiate_class(Type* type, Value* args, int nargs, Tuple* kwnames);
// An attribute of a class was set or deleted: dunders change the slots (of subclasses too).
void class_attr_changed(Type* type, Str* name);
// The dict of [type] changed: new versions for the classes deriving from it.
void subclasses_modified(Type* type);
// A class is being collected.
void forget_class(Type* type);
// The instance dict of an instance of a subclass of int, float, str or tuple, whose structs
// have no room for one: kept in a side table, dropped when the instance dies.
Dict** value_subclass_dict(Object* instance);

// Gives a builtin type list's __class_getitem__ (C[int] is a types.GenericAlias).
void add_class_getitem(Type* type);

// The first builtin type on [type]'s MRO: where the native behaviour comes from.
Type* native_base(Type* type);

// Descriptors (types/descriptors.cpp).
extern Type* staticmethod_type;
extern Type* classmethod_type;
extern Type* property_type;
extern Type* super_type;
Value make_staticmethod(Value function);
Value make_classmethod(Value function);
// The member descriptor of a __slots__ name.
Value make_member(Str* name, Type* owner);
// The __dict__ / __weakref__ descriptors of classes whose instances have a dict.
Value make_dict_descriptor(Type* owner);
Value make_weakref_descriptor(Type* owner);

void setup_class_types();        // types/class.cpp (calls setup_descriptor_types)
void setup_descriptor_types();   // types/descriptors.cpp

}  // namespace apy::rt
