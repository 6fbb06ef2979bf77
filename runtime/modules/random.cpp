// The random module: CPython's Mersenne Twister (Modules/_randommodule.c) and
// the algorithms of Lib/random.py, so that a seed gives CPython's exact sequences.
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "runtime/args.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {

namespace {

// ---- MT19937, as CPython seeds and steps it

constexpr int kN = 624;
constexpr int kM = 397;

struct Twister {
    uint32_t mt[kN];
    int index = kN + 1;
    bool has_gauss_next = false;
    double gauss_next = 0.0;

    void init_genrand(uint32_t s) {
        mt[0] = s;
        for (int i = 1; i < kN; ++i)
            mt[i] = 1812433253U * (mt[i - 1] ^ (mt[i - 1] >> 30)) + static_cast<uint32_t>(i);
        index = kN;
    }

    void init_by_array(const std::vector<uint32_t>& key) {
        init_genrand(19650218U);
        size_t i = 1, j = 0;
        for (size_t k = std::max<size_t>(kN, key.size()); k; --k) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] +
                    static_cast<uint32_t>(j);
            ++i;
            ++j;
            if (i >= kN) {
                mt[0] = mt[kN - 1];
                i = 1;
            }
            if (j >= key.size()) j = 0;
        }
        for (size_t k = kN - 1; k; --k) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) -
                    static_cast<uint32_t>(i);
            ++i;
            if (i >= kN) {
                mt[0] = mt[kN - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000U;
        has_gauss_next = false;
    }

    uint32_t next() {
        static const uint32_t kMag01[2] = {0x0U, 0x9908b0dfU};
        uint32_t y;
        if (index >= kN) {
            int kk;
            for (kk = 0; kk < kN - kM; ++kk) {
                y = (mt[kk] & 0x80000000U) | (mt[kk + 1] & 0x7fffffffU);
                mt[kk] = mt[kk + kM] ^ (y >> 1) ^ kMag01[y & 1U];
            }
            for (; kk < kN - 1; ++kk) {
                y = (mt[kk] & 0x80000000U) | (mt[kk + 1] & 0x7fffffffU);
                mt[kk] = mt[kk + (kM - kN)] ^ (y >> 1) ^ kMag01[y & 1U];
            }
            y = (mt[kN - 1] & 0x80000000U) | (mt[0] & 0x7fffffffU);
            mt[kN - 1] = mt[kM - 1] ^ (y >> 1) ^ kMag01[y & 1U];
            index = 0;
        }
        y = mt[index++];
        y ^= (y >> 11);
        y ^= (y << 7) & 0x9d2c5680U;
        y ^= (y << 15) & 0xefc60000U;
        y ^= (y >> 18);
        return y;
    }

    double random() {
        uint32_t a = next() >> 5, b = next() >> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    // getrandbits(k) for k <= 64.
    uint64_t bits64(int k) {
        if (k <= 32) return k == 0 ? 0 : next() >> (32 - k);
        uint64_t low = next();
        uint64_t high = next() >> (64 - k);
        return low | (high << 32);
    }

    // getrandbits(k) of any size: 32-bit words from the least significant.
    void bits(uint64_t k, mpz_t out) {
        size_t words = static_cast<size_t>((k - 1) / 32 + 1);
        std::vector<uint32_t> w(words);
        int64_t left = static_cast<int64_t>(k);
        for (size_t i = 0; i < words; ++i, left -= 32) {
            uint32_t r = next();
            if (left < 32) r >>= (32 - left);
            w[i] = r;
        }
        mpz_import(out, words, -1, sizeof(uint32_t), 0, 0, w.data());
    }

    void seed_from_urandom() {
        std::random_device device;
        std::vector<uint32_t> key(kN);
        for (uint32_t& word : key) word = device();
        init_by_array(key);
    }

    // seed(int): the absolute value's 32-bit words, least significant first.
    void seed_from_mpz(mpz_srcptr z) {
        size_t count = (mpz_sizeinbase(z, 2) + 31) / 32;
        std::vector<uint32_t> key(std::max<size_t>(count, 1), 0);
        mpz_export(key.data(), &count, -1, sizeof(uint32_t), 0, 0, z);
        init_by_array(key);
    }
};

Twister& twister() {
    static Twister t;
    return t;
}

// ---- SHA-512, for seeding from strs (random.seed's version 2)

struct Sha512 {
    static constexpr uint64_t kK[80] = {
        0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
        0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
        0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
        0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
        0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
        0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
        0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
        0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
        0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
        0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
        0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
        0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
        0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
        0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
        0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
        0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
        0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
        0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
        0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
        0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817};

    static uint64_t rotr(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

    static std::string digest(const std::string& message) {
        uint64_t h[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                         0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                         0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
        std::string m = message;
        uint64_t bit_length = static_cast<uint64_t>(message.size()) * 8;
        m += '\x80';
        while (m.size() % 128 != 112) m += '\0';
        m.append(8, '\0');  // the high 64 bits of the 128-bit length
        for (int i = 7; i >= 0; --i) m += static_cast<char>((bit_length >> (i * 8)) & 0xff);
        for (size_t block = 0; block < m.size(); block += 128) {
            uint64_t w[80];
            for (int t = 0; t < 16; ++t) {
                w[t] = 0;
                for (int b = 0; b < 8; ++b)
                    w[t] = (w[t] << 8) | static_cast<unsigned char>(m[block + t * 8 + b]);
            }
            for (int t = 16; t < 80; ++t) {
                uint64_t s0 = rotr(w[t - 15], 1) ^ rotr(w[t - 15], 8) ^ (w[t - 15] >> 7);
                uint64_t s1 = rotr(w[t - 2], 19) ^ rotr(w[t - 2], 61) ^ (w[t - 2] >> 6);
                w[t] = w[t - 16] + s0 + w[t - 7] + s1;
            }
            uint64_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6],
                     hh = h[7];
            for (int t = 0; t < 80; ++t) {
                uint64_t s1 = rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41);
                uint64_t ch = (e & f) ^ (~e & g);
                uint64_t t1 = hh + s1 + ch + kK[t] + w[t];
                uint64_t s0 = rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39);
                uint64_t maj = (a & b) ^ (a & c) ^ (b & c);
                uint64_t t2 = s0 + maj;
                hh = g;
                g = f;
                f = e;
                e = d + t1;
                d = c;
                c = b;
                b = a;
                a = t1 + t2;
            }
            h[0] += a; h[1] += b; h[2] += c; h[3] += d;
            h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
        }
        std::string out;
        for (uint64_t word : h)
            for (int i = 7; i >= 0; --i) out += static_cast<char>((word >> (i * 8)) & 0xff);
        return out;
    }
};

// ---- helpers

bool no_kwargs_count(const char* name, int nargs, Tuple* kw, int min, int max) {
    return check_no_kwargs(name, kw) && check_arg_count(name, nargs, min, max);
}

// A random int in [0, n) for an int n > 0 (random.py's _randbelow_with_getrandbits).
Value randbelow(Value n) {
    Twister& t = twister();
    int64_t small;
    if (int_to_int64(n, &small)) {
        int k = 64 - __builtin_clzll(static_cast<uint64_t>(small));
        uint64_t r = t.bits64(k);
        while (r >= static_cast<uint64_t>(small)) r = t.bits64(k);
        return make_int(static_cast<int64_t>(r));
    }
    MpzView vn(n);
    uint64_t k = mpz_sizeinbase(vn.get(), 2);
    mpz_t r;
    mpz_init(r);
    t.bits(k, r);
    while (mpz_cmp(r, vn.get()) >= 0) t.bits(k, r);
    Value out = make_int_from_mpz(r);
    mpz_clear(r);
    return out;
}

// randrange's argument conversion: ints, or floats that are integral.
Value range_arg(Value v, const char* message) {
    if (is_int(v)) return v.is_bool() ? Value::small_int(v.is_true()) : v;
    if (is_float(v)) {
        double d = float_value(v);
        if (std::isfinite(d) && d == std::floor(d)) return int_from_double(d);
        return raise(exc.ValueError, message);
    }
    int64_t unused;
    to_index(v, &unused);
    return Value::null();
}

int sign_of(Value v) { return mpz_sgn(MpzView(v).get()); }

Value randrange(Value start, Value stop, Value step) {
    Value istart = range_arg(start, "non-integer arg 1 for randrange()");
    if (istart.is_null()) return istart;
    if (stop.is_null() || stop.is_none()) {
        if (!step.is_null()) return raise(exc.TypeError, "Missing a non-None stop argument");
        if (sign_of(istart) > 0) return randbelow(istart);
        return raise(exc.ValueError, "empty range for randrange()");
    }
    Value istop = range_arg(stop, "non-integer stop for randrange()");
    if (istop.is_null()) return istop;
    Value width = number_binary(BinaryOp::Subtract, istop, istart);
    if (width.is_null()) return width;
    Value istep = step.is_null() ? Value::small_int(1)
                                 : range_arg(step, "non-integer step for randrange()");
    if (istep.is_null()) return istep;
    if (istep.is(Value::small_int(1))) {
        if (sign_of(width) > 0) {
            Value r = randbelow(width);
            return number_binary(BinaryOp::Add, istart, r);
        }
        return raise_format(exc.ValueError, "empty range for randrange() (%s, %s, %s)",
                            int_to_string(istart).c_str(), int_to_string(istop).c_str(),
                            int_to_string(width).c_str());
    }
    int step_sign = sign_of(istep);
    if (step_sign == 0) return raise(exc.ValueError, "zero step for randrange()");
    Value adjusted = number_binary(BinaryOp::Add, width,
                                   number_binary(BinaryOp::Add, istep,
                                                 Value::small_int(step_sign > 0 ? -1 : 1)));
    Value n = number_binary(BinaryOp::FloorDivide, adjusted, istep);
    if (n.is_null()) return n;
    if (sign_of(n) <= 0) return raise(exc.ValueError, "empty range for randrange()");
    Value offset = number_binary(BinaryOp::Multiply, istep, randbelow(n));
    return number_binary(BinaryOp::Add, istart, offset);
}

// ---- module functions

Value random_random(Value*, int nargs, Tuple* kw) {
    if (!no_kwargs_count("Random.random", nargs, kw, 0, 0)) return Value::null();
    return Value::from_double(twister().random());
}

Value random_seed(Value* args, int nargs, Tuple* kw) {
    static const Signature sig("seed", "a=None, version=2");
    Value a[2];
    if (!sig.bind(args, nargs, kw, a)) return Value::null();
    Twister& t = twister();
    Value seed = a[0];
    if (seed.is_none()) {
        t.seed_from_urandom();
        return Value::none();
    }
    if (is_str(seed)) {
        std::string bytes(str_view(seed));
        bytes += Sha512::digest(bytes);
        mpz_t z;
        mpz_init(z);
        mpz_import(z, bytes.size(), 1, 1, 0, 0, bytes.data());
        t.seed_from_mpz(z);
        mpz_clear(z);
        return Value::none();
    }
    if (is_float(seed)) seed = make_int(hash_double(float_value(seed)));
    if (!is_int(seed))
        return raise(exc.TypeError,
                     "The only supported seed types are: None,\nint, float, str, bytes, and "
                     "bytearray.");
    MpzView z(seed);
    mpz_t magnitude;
    mpz_init(magnitude);
    mpz_abs(magnitude, z.get());
    t.seed_from_mpz(magnitude);
    mpz_clear(magnitude);
    return Value::none();
}

Value random_getrandbits(Value* args, int nargs, Tuple* kw) {
    if (!no_kwargs_count("Random.getrandbits", nargs, kw, 1, 1)) return Value::null();
    int64_t k;
    if (!to_index(args[0], &k)) return Value::null();
    if (k < 0) return raise(exc.ValueError, "number of bits must be non-negative");
    if (k == 0) return Value::small_int(0);
    if (k <= 63) return make_int(static_cast<int64_t>(twister().bits64(static_cast<int>(k))));
    mpz_t r;
    mpz_init(r);
    twister().bits(static_cast<uint64_t>(k), r);
    Value out = make_int_from_mpz(r);
    mpz_clear(r);
    return out;
}

Value random_randrange(Value* args, int nargs, Tuple* kw) {
    static const Signature sig("randrange", "start, stop=None, step=?");
    Value a[3];
    if (!sig.bind(args, nargs, kw, a)) return Value::null();
    return randrange(a[0], a[1], a[2]);
}

Value random_randint(Value* args, int nargs, Tuple* kw) {
    static const Signature sig("randint", "a, b");
    Value a[2];
    if (!sig.bind(args, nargs, kw, a)) return Value::null();
    Value stop = binary_op(BinaryOp::Add, a[1], Value::small_int(1));
    if (stop.is_null()) return stop;
    return randrange(a[0], stop, Value::null());
}

Value random_choice(Value* args, int nargs, Tuple* kw) {
    if (!no_kwargs_count("choice", nargs, kw, 1, 1)) return Value::null();
    int64_t n;
    if (!length(args[0], &n)) return Value::null();
    if (n == 0) return raise(exc.IndexError, "Cannot choose from an empty sequence");
    return getitem(args[0], randbelow(make_int(n)));
}

Value random_shuffle(Value* args, int nargs, Tuple* kw) {
    if (!no_kwargs_count("shuffle", nargs, kw, 1, 1)) return Value::null();
    Value x = args[0];
    int64_t n;
    if (!length(x, &n)) return Value::null();
    for (int64_t i = n - 1; i >= 1; --i) {
        Value jv = randbelow(make_int(i + 1));
        int64_t j = jv.as_small_int();
        if (is_layout(x, Layout::List)) {
            std::vector<Value>& items = as<List>(x)->items;
            if (static_cast<int64_t>(items.size()) > std::max(i, j)) std::swap(items[i], items[j]);
            continue;
        }
        Value xi = getitem(x, make_int(i));
        if (xi.is_null()) return xi;
        Root keep(xi);
        Value xj = getitem(x, jv);
        if (xj.is_null()) return xj;
        Root keep_j(xj);
        if (!setitem(x, make_int(i), xj) || !setitem(x, jv, xi)) return Value::null();
    }
    return Value::none();
}

Value random_uniform(Value* args, int nargs, Tuple* kw) {
    static const Signature sig("uniform", "a, b");
    Value a[2];
    if (!sig.bind(args, nargs, kw, a)) return Value::null();
    // a + (b - a) * random(), with Python's arithmetic on the arguments.
    Value diff = binary_op(BinaryOp::Subtract, a[1], a[0]);
    if (diff.is_null()) return diff;
    Value scaled = binary_op(BinaryOp::Multiply, diff, Value::from_double(twister().random()));
    if (scaled.is_null()) return scaled;
    return binary_op(BinaryOp::Add, a[0], scaled);
}

bool is_sequence(Value v) {
    Type* t = type_of(v);
    return is_subtype(t, types.list_) || is_subtype(t, types.tuple_) || is_subtype(t, types.str_) ||
           is_subtype(t, types.range_);
}

Value random_sample(Value* args, int nargs, Tuple* kw) {
    static const Signature sig("sample", "population, k, *, counts=None");
    Value a[3];
    if (!sig.bind(args, nargs, kw, a)) return Value::null();
    if (!a[2].is_none()) return raise(exc.NotImplementedError, "sample() counts are not supported by apy");
    Value population = a[0];
    if (!is_sequence(population))
        return raise(exc.TypeError,
                     "Population must be a sequence.  For dicts or sets, use sorted(d).");
    int64_t n, k;
    if (!length(population, &n) || !to_index(a[1], &k)) return Value::null();
    if (k < 0 || k > n) return raise(exc.ValueError, "Sample larger than population or is negative");
    std::vector<Value> pool;
    if (!collect_iterable(population, pool)) return Value::null();
    List* result = make_list(std::vector<Value>(static_cast<size_t>(k), Value::none()));
    double setsize = 21;
    if (k > 5) setsize += std::pow(4.0, std::ceil(std::log(static_cast<double>(k * 3)) / std::log(4.0)));
    if (static_cast<double>(n) <= setsize) {
        for (int64_t i = 0; i < k; ++i) {
            int64_t j = randbelow(make_int(n - i)).as_small_int();
            result->items[i] = pool[j];
            pool[j] = pool[n - i - 1];
        }
    } else {
        std::vector<bool> selected(static_cast<size_t>(n), false);
        for (int64_t i = 0; i < k; ++i) {
            int64_t j = randbelow(make_int(n)).as_small_int();
            while (selected[j]) j = randbelow(make_int(n)).as_small_int();
            selected[j] = true;
            result->items[i] = pool[j];
        }
    }
    return Value::object(result);
}

bool to_real(Value v, double* out) {
    if (is_float(v)) {
        *out = float_value(v);
        return true;
    }
    if (is_int(v)) return int_to_double(v, out);
    raise_format(exc.TypeError, "must be real number, not %s", type_name(v).c_str());
    return false;
}

Value random_choices(Value* args, int nargs, Tuple* kw) {
    static const Signature sig("choices", "population, weights=None, *, cum_weights=None, k=1");
    Value a[4];
    if (!sig.bind(args, nargs, kw, a)) return Value::null();
    std::vector<Value> population;
    VectorRoot keep_population(population);  // iterating the weights may collect
    if (!collect_iterable(a[0], population)) return Value::null();
    int64_t k;
    if (!to_index(a[3], &k)) return Value::null();
    double n = static_cast<double>(population.size());
    Twister& t = twister();
    List* result = make_list();
    if (a[2].is_none()) {
        if (a[1].is_none()) {
            for (int64_t i = 0; i < k; ++i) {
                if (population.empty()) return raise(exc.IndexError, "list index out of range");
                list_append(result, population[static_cast<size_t>(std::floor(t.random() * n))]);
            }
            return Value::object(result);
        }
    } else if (!a[1].is_none()) {
        return raise(exc.TypeError, "Cannot specify both weights and cumulative weights");
    }
    std::vector<Value> weights;
    if (!collect_iterable(a[2].is_none() ? a[1] : a[2], weights)) return Value::null();
    std::vector<double> cum(weights.size());
    double running = 0.0;
    for (size_t i = 0; i < weights.size(); ++i) {
        double w;
        if (!to_real(weights[i], &w)) return Value::null();
        running = a[2].is_none() ? running + w : w;
        cum[i] = running;
    }
    if (cum.size() != population.size())
        return raise(exc.ValueError, "The number of weights does not match the population");
    double total = cum.empty() ? 0.0 : cum.back();
    if (cum.empty()) return raise(exc.IndexError, "list index out of range");
    if (total <= 0.0) return raise(exc.ValueError, "Total of weights must be greater than zero");
    if (!std::isfinite(total)) return raise(exc.ValueError, "Total of weights must be finite");
    size_t hi = cum.size() - 1;
    for (int64_t i = 0; i < k; ++i) {
        double x = t.random() * total;
        // bisect_right(cum, x, 0, hi)
        size_t lo = 0, top = hi;
        while (lo < top) {
            size_t mid = (lo + top) / 2;
            if (x < cum[mid])
                top = mid;
            else
                lo = mid + 1;
        }
        list_append(result, population[lo]);
    }
    return Value::object(result);
}

bool two_floats(const char* name, const char* params, Value* args, int nargs, Tuple* kw,
                double* x, double* y) {
    Signature sig(name, params);
    Value a[2];
    return sig.bind(args, nargs, kw, a) && to_real(a[0], x) && to_real(a[1], y);
}

Value random_gauss(Value* args, int nargs, Tuple* kw) {
    double mu, sigma;
    if (!two_floats("gauss", "mu=0.0, sigma=1.0", args, nargs, kw, &mu, &sigma))
        return Value::null();
    Twister& t = twister();
    double z;
    if (t.has_gauss_next) {
        z = t.gauss_next;
        t.has_gauss_next = false;
    } else {
        double x2pi = t.random() * (2 * M_PI);
        double g2rad = std::sqrt(-2.0 * std::log(1.0 - t.random()));
        z = std::cos(x2pi) * g2rad;
        t.gauss_next = std::sin(x2pi) * g2rad;
        t.has_gauss_next = true;
    }
    return Value::from_double(mu + z * sigma);
}

Value random_normalvariate(Value* args, int nargs, Tuple* kw) {
    double mu, sigma;
    if (!two_floats("normalvariate", "mu=0.0, sigma=1.0", args, nargs, kw, &mu, &sigma))
        return Value::null();
    static const double kMagic = 4 * std::exp(-0.5) / std::sqrt(2.0);
    Twister& t = twister();
    double z;
    while (true) {
        double u1 = t.random();
        double u2 = 1.0 - t.random();
        z = kMagic * (u1 - 0.5) / u2;
        if (z * z / 4.0 <= -std::log(u2)) break;
    }
    return Value::from_double(mu + z * sigma);
}

Value random_expovariate(Value* args, int nargs, Tuple* kw) {
    if (!no_kwargs_count("expovariate", nargs, kw, 1, 1)) return Value::null();
    double lambd;
    if (!to_real(args[0], &lambd)) return Value::null();
    double u = twister().random();
    if (lambd == 0.0) return raise(exc.ZeroDivisionError, "float division by zero");
    return Value::from_double(-std::log(1.0 - u) / lambd);
}

Value random_triangular(Value* args, int nargs, Tuple* kw) {
    static const Signature sig("triangular", "low=0.0, high=1.0, mode=None");
    Value a[3];
    if (!sig.bind(args, nargs, kw, a)) return Value::null();
    double low, high, mode = 0.0;
    if (!to_real(a[0], &low) || !to_real(a[1], &high)) return Value::null();
    if (!a[2].is_none() && !to_real(a[2], &mode)) return Value::null();
    double u = twister().random();
    if (high == low) return Value::from_double(low);
    double c = a[2].is_none() ? 0.5 : (mode - low) / (high - low);
    if (u > c) {
        u = 1.0 - u;
        c = 1.0 - c;
        std::swap(low, high);
    }
    return Value::from_double(low + (high - low) * std::sqrt(u * c));
}

Value random_getstate(Value*, int nargs, Tuple* kw) {
    if (!no_kwargs_count("getstate", nargs, kw, 0, 0)) return Value::null();
    Twister& t = twister();
    Tuple* words = make_tuple(kN + 1);
    for (int i = 0; i < kN; ++i) words->items[i] = make_int(t.mt[i]);
    words->items[kN] = make_int(t.index);
    Value state[3] = {Value::small_int(3), Value::object(words),
                      t.has_gauss_next ? Value::from_double(t.gauss_next) : Value::none()};
    return Value::object(make_tuple(state, 3));
}

Value random_setstate(Value* args, int nargs, Tuple* kw) {
    if (!no_kwargs_count("setstate", nargs, kw, 1, 1)) return Value::null();
    Value state = args[0];
    if (!is_layout(state, Layout::Tuple) || as<Tuple>(state)->size != 3 ||
        !is_layout(as<Tuple>(state)->items[1], Layout::Tuple) ||
        as<Tuple>(as<Tuple>(state)->items[1])->size != kN + 1)
        return raise(exc.ValueError, "state vector is the wrong size");
    Tuple* words = as<Tuple>(as<Tuple>(state)->items[1]);
    Twister& t = twister();
    for (int i = 0; i <= kN; ++i) {
        int64_t w;
        if (!is_int(words->items[i]) || !int_to_int64(words->items[i], &w) || w < 0 ||
            w > UINT32_MAX)
            return raise(exc.ValueError, "invalid state");
        if (i < kN)
            t.mt[i] = static_cast<uint32_t>(w);
        else if (w > kN)
            return raise(exc.ValueError, "invalid state");
        else
            t.index = static_cast<int>(w);
    }
    Value gauss = as<Tuple>(state)->items[2];
    t.has_gauss_next = !gauss.is_none();
    if (t.has_gauss_next && !to_real(gauss, &t.gauss_next)) return Value::null();
    return Value::none();
}

}  // namespace

Module* make_random_module() {
    twister().seed_from_urandom();
    Module* m = make_module("random");
    static const MethodDef kFunctions[] = {
        {"random", random_random},
        {"seed", random_seed},
        {"getrandbits", random_getrandbits},
        {"randrange", random_randrange},
        {"randint", random_randint},
        {"choice", random_choice},
        {"choices", random_choices},
        {"shuffle", random_shuffle},
        {"sample", random_sample},
        {"uniform", random_uniform},
        {"gauss", random_gauss},
        {"normalvariate", random_normalvariate},
        {"expovariate", random_expovariate},
        {"triangular", random_triangular},
        {"getstate", random_getstate},
        {"setstate", random_setstate},
        {nullptr, nullptr},
    };
    for (const MethodDef* f = kFunctions; f->name; ++f)
        dict_set_str(m->dict, f->name, Value::object(make_builtin(f->name, f->fn)));
    return m;
}

}  // namespace apy::rt
