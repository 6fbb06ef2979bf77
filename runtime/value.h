// Value: every apy value in 64 bits, NaN-boxed so that None, bools, floats and
// ints of up to 48 bits need no allocation.
//
//   0xFFFC pppp pppp pppp   pointer to a heap Object (48-bit address)
//   0x7FFD iiii iiii iiii   small int, 48-bit two's complement
//   0x7FFE 0000 0000 000k   singletons: null, None, False, True, NotImplemented, Ellipsis
//   anything else           an IEEE double (NaNs are canonicalised to 0x7FF8...)
//
// null is not a Python value: it marks an unbound local or an empty slot, and a
// runtime function returns it to say "an exception is pending" (see errors.h).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace apy::rt {

struct Object;
struct Type;

class Value {
public:
    static constexpr int64_t kSmallIntMax = (int64_t(1) << 47) - 1;
    static constexpr int64_t kSmallIntMin = -(int64_t(1) << 47);

    constexpr Value() : bits_(kNullBits) {}

    static constexpr Value null() { return Value(kNullBits); }
    static constexpr Value none() { return Value(kNoneBits); }
    static constexpr Value boolean(bool b) { return Value(b ? kTrueBits : kFalseBits); }
    static constexpr Value not_implemented() { return Value(kNotImplementedBits); }
    static constexpr Value ellipsis() { return Value(kEllipsisBits); }
    static Value from_double(double d) {
        if (std::isnan(d)) return Value(kCanonicalNaN);
        uint64_t b;
        std::memcpy(&b, &d, sizeof b);
        return Value(b);
    }
    // Only for |i| within the small range; use rt::make_int for any int64.
    static constexpr Value small_int(int64_t i) {
        return Value(kIntTag | (static_cast<uint64_t>(i) & kPayloadMask));
    }
    static Value object(const Object* o) {
        return Value(kObjectTag | reinterpret_cast<uint64_t>(o));
    }
    static constexpr bool fits_small_int(int64_t i) { return i >= kSmallIntMin && i <= kSmallIntMax; }
    // [result] = a - b when [subtract], else a + b, if a, b and the result are small ints.
    // The payloads moved to the top of a word overflow 64 bits exactly when the result needs
    // more than 48.
    static bool add_small_ints(Value a, Value b, bool subtract, Value* result) {
        if (!a.is_small_int() || !b.is_small_int()) return false;
        int64_t top;
        if (subtract ? __builtin_sub_overflow(top_payload(a), top_payload(b), &top)
                     : __builtin_add_overflow(top_payload(a), top_payload(b), &top))
            return false;
        *result = Value(kIntTag | (static_cast<uint64_t>(top) >> 16));
        return true;
    }

    constexpr bool is_null() const { return bits_ == kNullBits; }
    constexpr bool is_none() const { return bits_ == kNoneBits; }
    constexpr bool is_bool() const { return bits_ == kTrueBits || bits_ == kFalseBits; }
    constexpr bool is_true() const { return bits_ == kTrueBits; }
    constexpr bool is_false() const { return bits_ == kFalseBits; }
    constexpr bool is_not_implemented() const { return bits_ == kNotImplementedBits; }
    constexpr bool is_ellipsis() const { return bits_ == kEllipsisBits; }
    constexpr bool is_double() const { return (bits_ & kQNaN) != kQNaN; }
    constexpr bool is_small_int() const { return (bits_ >> 48) == (kIntTag >> 48); }
    constexpr bool is_object() const { return (bits_ >> 48) == (kObjectTag >> 48); }

    double as_double() const {
        double d;
        std::memcpy(&d, &bits_, sizeof d);
        return d;
    }
    constexpr int64_t as_small_int() const {
        // Shift the 48-bit payload to the top and back to sign-extend it.
        return static_cast<int64_t>(bits_ << 16) >> 16;
    }
    Object* as_object() const { return reinterpret_cast<Object*>(bits_ & kPayloadMask); }

    constexpr uint64_t bits() const { return bits_; }
    // Identity, as Python's `is`.
    constexpr bool is(Value other) const { return bits_ == other.bits_; }

private:
    constexpr explicit Value(uint64_t bits) : bits_(bits) {}
    static int64_t top_payload(Value v) { return static_cast<int64_t>(v.bits_ << 16); }

    static constexpr uint64_t kQNaN = 0x7FFC000000000000ull;
    static constexpr uint64_t kPayloadMask = 0x0000FFFFFFFFFFFFull;
    static constexpr uint64_t kObjectTag = 0xFFFC000000000000ull;
    static constexpr uint64_t kIntTag = 0x7FFD000000000000ull;
    static constexpr uint64_t kSingletonTag = 0x7FFE000000000000ull;
    static constexpr uint64_t kNullBits = kSingletonTag | 0;
    static constexpr uint64_t kNoneBits = kSingletonTag | 1;
    static constexpr uint64_t kFalseBits = kSingletonTag | 2;
    static constexpr uint64_t kTrueBits = kSingletonTag | 3;
    static constexpr uint64_t kNotImplementedBits = kSingletonTag | 4;
    static constexpr uint64_t kEllipsisBits = kSingletonTag | 5;
    static constexpr uint64_t kCanonicalNaN = 0x7FF8000000000000ull;

    uint64_t bits_;
};

}  // namespace apy::rt
