// Containers at the C++ level: the dict and set APIs, CPython-exact hashes and set
// order, slice arithmetic, ranges and the iterators.
#include <gtest/gtest.h>

#include "runtime/errors.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"

namespace apy::rt {
namespace {

class ContainersTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        // The runtime is shared by every test of the binary: initialise it once.
        if (!types.str_) init_runtime({"containers_test"});
    }
    void TearDown() override { EXPECT_FALSE(has_pending()); }
};

std::string repr_of(Value v) {
    bool ok;
    std::string text = repr_string(v, &ok);
    EXPECT_TRUE(ok);
    if (!ok) clear_pending();
    return text;
}

Value ints(std::initializer_list<int64_t> values) {
    std::vector<Value> items;
    for (int64_t v : values) items.push_back(make_int(v));
    return Value::object(make_list(std::move(items)));
}

std::string pending_message() {
    Value e = take_pending();
    if (e.is_null()) return "<no exception>";
    return type_name(e) + ": " + std::string(str_view(to_str(e)));
}

TEST_F(ContainersTest, TupleHashMatchesCPython) {
    int64_t h;
    ASSERT_TRUE(hash(Value::object(make_tuple(0)), &h));
    EXPECT_EQ(h, 5740354900026072187);
    Value one = make_int(1);
    ASSERT_TRUE(hash(Value::object(make_tuple(&one, 1)), &h));
    EXPECT_EQ(h, -6644214454873602895);
    Value pair[2] = {make_int(1), make_int(2)};
    ASSERT_TRUE(hash(Value::object(make_tuple(pair, 2)), &h));
    EXPECT_EQ(h, -3550055125485641917);
}

TEST_F(ContainersTest, TupleRepr) {
    Value one = make_int(1);
    EXPECT_EQ(repr_of(Value::object(make_tuple(&one, 1))), "(1,)");
    EXPECT_EQ(repr_of(Value::object(make_tuple(0))), "()");
}

TEST_F(ContainersTest, ListReprHandlesSelfReference) {
    Value l = ints({1, 2});
    list_append(as<List>(l), l);
    EXPECT_EQ(repr_of(l), "[1, 2, [...]]");
}

TEST_F(ContainersTest, DictKeepsInsertionOrder) {
    Dict* d = make_dict();
    for (int64_t i : {5, 3, 9, 1}) ASSERT_TRUE(dict_set(d, make_int(i), make_int(i * 10)));
    EXPECT_EQ(repr_of(Value::object(d)), "{5: 50, 3: 30, 9: 90, 1: 10}");
    EXPECT_EQ(dict_del(d, make_int(3)), 1);
    EXPECT_EQ(dict_del(d, make_int(3)), 0);
    ASSERT_TRUE(dict_set(d, make_int(3), Value::none()));
    EXPECT_EQ(repr_of(Value::object(d)), "{5: 50, 9: 90, 1: 10, 3: None}");
    EXPECT_TRUE(dict_get(d, make_int(9)).is(make_int(90)));
    EXPECT_TRUE(dict_get(d, make_int(4)).is_null());
    EXPECT_FALSE(has_pending());
}

TEST_F(ContainersTest, DictGrowsAndShrinks) {
    Dict* d = make_dict();
    for (int64_t i = 0; i < 10000; ++i) ASSERT_TRUE(dict_set(d, make_int(i), make_int(-i)));
    for (int64_t i = 0; i < 10000; i += 2) ASSERT_EQ(dict_del(d, make_int(i)), 1);
    EXPECT_EQ(d->used, 5000);
    for (int64_t i = 0; i < 10000; ++i) {
        Value v = dict_get(d, make_int(i));
        if (i % 2)
            EXPECT_TRUE(v.is(make_int(-i)));
        else
            EXPECT_TRUE(v.is_null());
    }
}

TEST_F(ContainersTest, DictStrKeys) {
    Dict* d = make_dict();
    dict_set_str(d, "alpha", make_int(1));
    dict_set_str(d, intern("beta"), make_int(2));
    EXPECT_TRUE(dict_get_str(d, intern("alpha")).is(make_int(1)));
    // A str equal to an interned key but a different object is found by content.
    EXPECT_TRUE(dict_get(d, str_value("beta")).is(make_int(2)));
    EXPECT_TRUE(dict_get_str(d, make_str("beta")).is(make_int(2)));
    EXPECT_TRUE(dict_get_str(d, intern("gamma")).is_null());
    EXPECT_FALSE(has_pending());
}

TEST_F(ContainersTest, DictUnhashableKey) {
    Dict* d = make_dict();
    EXPECT_FALSE(dict_set(d, ints({1}), Value::none()));
    EXPECT_EQ(pending_message(), "TypeError: unhashable type: 'list'");
}

TEST_F(ContainersTest, SetOrderMatchesCPython) {
    Set* s = make_set();
    for (int64_t i : {10, 3, 7, 100, 1000}) ASSERT_TRUE(set_add(s, make_int(i)));
    EXPECT_EQ(repr_of(Value::object(s)), "{3, 100, 7, 1000, 10}");
    EXPECT_EQ(set_contains(s, make_int(7)), 1);
    EXPECT_EQ(set_contains(s, make_int(8)), 0);
    Set* t = make_set();
    for (int64_t i : {1, 2, 3, 100, 1000, 10000, 8, 16, 24, 32, 64})
        ASSERT_TRUE(set_add(t, make_int(i)));
    EXPECT_EQ(repr_of(Value::object(t)), "{32, 1, 2, 3, 100, 64, 1000, 8, 10000, 16, 24}");
}

TEST_F(ContainersTest, SetDifferenceOrder) {
    Set* s = make_set();
    ASSERT_TRUE(set_update(s, Value::object(make_range(make_int(0), make_int(20), make_int(1)))));
    Set* five = make_set();
    ASSERT_TRUE(set_add(five, make_int(5)));
    Value r = binary_op(BinaryOp::Subtract, Value::object(s), Value::object(five));
    EXPECT_EQ(repr_of(r),
              "{0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}");
}

TEST_F(ContainersTest, ConstantFrozensetIsRebuiltAsCPython) {
    // -1 and -2 both hash to -2: CPython's compiler leaves {-1, -2, 6} as {-2, 6, -1}.
    Value items[3] = {make_int(-1), make_int(-2), make_int(6)};
    Set* f = make_constant_frozenset(items, 3);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(repr_of(Value::object(f)), "frozenset({-2, 6, -1})");
    Set* s = make_set();
    ASSERT_TRUE(set_update(s, Value::object(f)));
    EXPECT_EQ(repr_of(Value::object(s)), "{-2, 6, -1}");
}

TEST_F(ContainersTest, FrozensetHashMatchesCPython) {
    int64_t h;
    Set* empty = make_set(true);
    ASSERT_TRUE(hash(Value::object(empty), &h));
    EXPECT_EQ(h, 133146708735736);
    Set* s = make_set(true);
    for (int64_t i : {1, 2, 3}) ASSERT_TRUE(set_add(s, make_int(i)));
    ASSERT_TRUE(hash(Value::object(s), &h));
    EXPECT_EQ(h, -272375401224217160);
    EXPECT_FALSE(hash(Value::object(make_set()), &h));
    EXPECT_EQ(pending_message(), "TypeError: unhashable type: 'set'");
}

TEST_F(ContainersTest, SliceIndices) {
    struct Case {
        Value start, stop, step;
        int64_t length;
        int64_t expect[4];
    };
    const Case cases[] = {
        {Value::none(), Value::none(), Value::none(), 10, {0, 10, 1, 10}},
        {Value::none(), Value::none(), make_int(-1), 10, {9, -1, -1, 10}},
        {make_int(-3), Value::none(), Value::none(), 10, {7, 10, 1, 3}},
        {make_int(2), make_int(100), make_int(3), 10, {2, 10, 3, 3}},
        {make_int(5), make_int(2), Value::none(), 10, {5, 2, 1, 0}},
        {make_int(-100), make_int(-50), make_int(-1), 10, {-1, -1, -1, 0}},
    };
    for (const Case& c : cases) {
        int64_t start, stop, step, n;
        ASSERT_TRUE(slice_indices(make_slice(c.start, c.stop, c.step), c.length, &start, &stop,
                                  &step, &n));
        EXPECT_EQ(start, c.expect[0]);
        EXPECT_EQ(stop, c.expect[1]);
        EXPECT_EQ(step, c.expect[2]);
        EXPECT_EQ(n, c.expect[3]);
    }
    int64_t a, b, c, d;
    EXPECT_FALSE(slice_indices(make_slice(Value::none(), Value::none(), make_int(0)), 5, &a, &b,
                               &c, &d));
    EXPECT_EQ(pending_message(), "ValueError: slice step cannot be zero");
}

TEST_F(ContainersTest, RangeIterator) {
    Range* r = make_range(make_int(10), make_int(0), make_int(-3));
    int64_t n;
    ASSERT_TRUE(length(Value::object(r), &n));
    EXPECT_EQ(n, 4);
    Value it = get_iter(Value::object(r));
    ASSERT_TRUE(is_range_iterator(it));
    std::vector<int64_t> seen;
    int64_t v;
    while (range_iterator_next(it, &v)) seen.push_back(v);
    EXPECT_EQ(seen, (std::vector<int64_t>{10, 7, 4, 1}));
    EXPECT_EQ(repr_of(Value::object(r)), "range(10, 0, -3)");
}

TEST_F(ContainersTest, ListIteratorStopsForGood) {
    Value l = ints({1});
    Value it = get_iter(l);
    EXPECT_TRUE(iter_next(it).is(make_int(1)));
    EXPECT_TRUE(iter_next(it).is_null());
    list_append(as<List>(l), make_int(2));
    EXPECT_TRUE(iter_next(it).is_null());
    EXPECT_FALSE(has_pending());
    EXPECT_EQ(type_name(it), "list_iterator");
}

TEST_F(ContainersTest, ListInplaceExtendsWithAnyIterable) {
    Value l = ints({1});
    Value r = list_inplace(BinaryOp::Add, l, Value::object(make_range(make_int(2), make_int(4), make_int(1))));
    EXPECT_TRUE(r.is(l));
    EXPECT_EQ(repr_of(l), "[1, 2, 3]");
    EXPECT_TRUE(list_inplace(BinaryOp::Add, l, make_int(5)).is_null());
    EXPECT_EQ(pending_message(), "TypeError: 'int' object is not iterable");
}

}  // namespace
}  // namespace apy::rt
