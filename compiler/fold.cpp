// Constant folding, as CPython 3.11's AST optimizer (Python/ast_opt.c) does it before
// compiling: an operator on constants, a tuple of constants and a subscript of constants
// become one constant, so `-1`, `2 ** 8`, `(1, 2)` and `"ab"[0]` compile to a LOAD_CONST
// (which dis, identity and a code object's co_consts show). An operation that fails, or whose
// result would be big (CPython's limits below), is left to run time, which raises its error
// in the right place.
//
// Constants are merged by value across the whole compilation (CPython's _PyCode_ConstantKey
// and c_const_cache): equal constants of a module and its functions are one object.
#include "compiler/compiler_impl.h"
#include "runtime/errors.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"

#include <algorithm>
#include <cstring>

namespace apy::compiler {

namespace {

constexpr size_t kMaxIntBits = 128;
constexpr int64_t kMaxCollectionSize = 256;
constexpr int64_t kMaxStrSize = 4096;
constexpr int64_t kMaxTotalItems = 1024;

bool is_exact(rt::Value v, rt::Layout layout) { return rt::is_layout(v, layout); }

int64_t collection_size(rt::Value v) {
    if (is_exact(v, rt::Layout::Tuple)) return static_cast<rt::Tuple*>(v.as_object())->size;
    return static_cast<rt::Set*>(v.as_object())->used;
}

// The number of bits of |v| (CPython's _PyLong_NumBits).
size_t int_bits(rt::Value v) {
    rt::MpzView z(v);
    return mpz_sgn(z.get()) == 0 ? 0 : mpz_sizeinbase(z.get(), 2);
}

bool int_is_zero(rt::Value v) { return int_bits(v) == 0; }

// CPython's check_complexity: false when a collection holds more than [limit] items in all.
bool within_complexity(rt::Value v, int64_t* limit) {
    if (!is_exact(v, rt::Layout::Tuple)) return true;
    auto* tuple = static_cast<rt::Tuple*>(v.as_object());
    *limit -= tuple->size;
    for (int64_t i = 0; i < tuple->size && *limit >= 0; ++i) {
        if (!within_complexity(tuple->items[i], limit)) return false;
    }
    return *limit >= 0;
}

bool is_sequence_constant(rt::Value v) {
    return is_exact(v, rt::Layout::Tuple) || is_exact(v, rt::Layout::FrozenSet);
}

// CPython's safe_multiply, safe_power, safe_lshift and safe_mod: whether folding [op] would
// not make a result bigger than the limits (or format a string at compile time).
bool safe_to_fold(ast::BinOpKind op, rt::Value a, rt::Value b) {
    using ast::BinOpKind;
    bool ints = rt::is_int(a) && rt::is_int(b);
    switch (op) {
    case BinOpKind::Mult: {
        if (ints) {
            return int_is_zero(a) || int_is_zero(b) || int_bits(a) + int_bits(b) <= kMaxIntBits;
        }
        if (rt::is_int(b) && !rt::is_int(a)) std::swap(a, b);
        if (!rt::is_int(a)) return true;
        int64_t n = 0;
        bool small = rt::int_to_int64(a, &n);
        if (is_sequence_constant(b)) {
            int64_t size = collection_size(b);
            if (size == 0) return true;
            if (!small || n < 0 || n > kMaxCollectionSize / size) return false;
            int64_t limit = n ? kMaxTotalItems / n : 0;
            return n == 0 || within_complexity(b, &limit);
        }
        if (is_exact(b, rt::Layout::Str)) {
            int64_t size = static_cast<rt::Str*>(b.as_object())->length;
            return size == 0 || (small && n >= 0 && n <= kMaxStrSize / size);
        }
        return true;
    }
    case BinOpKind::Pow: {
        if (!ints || int_is_zero(a) || mpz_sgn(rt::MpzView(b).get()) <= 0) return true;
        int64_t exponent = 0;
        if (!rt::int_to_int64(b, &exponent)) return false;
        return int_bits(a) <= kMaxIntBits / static_cast<size_t>(exponent);
    }
    case BinOpKind::LShift: {
        if (!ints || int_is_zero(a) || int_is_zero(b)) return true;
        int64_t shift = 0;
        if (!rt::int_to_int64(b, &shift) || shift < 0) return false;
        return static_cast<size_t>(shift) <= kMaxIntBits &&
               int_bits(a) <= kMaxIntBits - static_cast<size_t>(shift);
    }
    case BinOpKind::Mod: return !is_exact(a, rt::Layout::Str);
    case BinOpKind::MatMult: return false; // no constant implements it
    default: return true;
    }
}

rt::BinaryOp runtime_binary_op(ast::BinOpKind op) {
    return static_cast<rt::BinaryOp>(binary_op_operand(op));
}

// The result of an operation at compile time, or null (with no exception left pending).
rt::Value folded_or_null(rt::Value result) {
    if (result.is_null()) rt::clear_pending();
    return result;
}

std::string tagged(char tag, std::string_view text) {
    std::string key(1, tag);
    key += std::to_string(text.size());
    key += ':';
    key.append(text);
    return key;
}

// CPython's all_name_chars: string constants made of these are interned.
bool is_name_like(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '_';
    });
}

} // namespace

std::string constant_key(rt::Value v) {
    if (v.is_none()) return "N";
    if (v.is_true()) return "T";
    if (v.is_false()) return "F";
    if (v.is_ellipsis()) return "E";
    if (v.is_double()) {
        uint64_t bits;
        double d = v.as_double();
        std::memcpy(&bits, &d, sizeof bits);
        return "f" + std::to_string(bits);
    }
    if (rt::is_int(v)) return "i" + rt::int_to_string(v);
    if (is_exact(v, rt::Layout::Str)) {
        auto* s = static_cast<rt::Str*>(v.as_object());
        return tagged(s->interned ? 'S' : 's', s->view());
    }
    if (is_exact(v, rt::Layout::Tuple)) {
        auto* tuple = static_cast<rt::Tuple*>(v.as_object());
        std::string key = "t" + std::to_string(tuple->size) + "(";
        for (int64_t i = 0; i < tuple->size; ++i) {
            std::string item = constant_key(tuple->items[i]);
            if (item.empty()) return "";
            key += tagged('.', item);
        }
        return key + ")";
    }
    if (is_exact(v, rt::Layout::FrozenSet)) {
        // Equal frozensets are one constant whatever the order their items were added in.
        auto* set = static_cast<rt::Set*>(v.as_object());
        std::vector<std::string> items;
        for (const rt::SetEntry& entry : set->table) {
            if (entry.key.is_null()) continue; // empty or deleted
            std::string item = constant_key(entry.key);
            if (item.empty()) return "";
            items.push_back(tagged('.', item));
        }
        std::sort(items.begin(), items.end());
        std::string key = "z" + std::to_string(items.size()) + "(";
        for (const std::string& item : items) key += item;
        return key + ")";
    }
    return ""; // code objects: never merged
}

rt::Value Compiler::literal_value(const ast::Constant* c) {
    using K = ast::ConstKind;
    switch (c->value_kind) {
    case K::None: return rt::Value::none();
    case K::True: return rt::Value::boolean(true);
    case K::False: return rt::Value::boolean(false);
    case K::Ellipsis: return rt::Value::ellipsis();
    case K::Float: return rt::Value::from_double(c->number);
    case K::Str: return str_constant(c->text);
    case K::Int: {
        rt::Value v = rt::int_from_string(c->text, 0);
        if (v.is_null()) {
            rt::clear_pending();
            error("invalid int literal", c->loc);
        }
        return v;
    }
    }
    return rt::Value::none();
}

rt::Value Compiler::str_constant(const std::string& s) {
    return rt::Value::object(is_name_like(s) ? rt::intern(s) : rt::make_str(s));
}

rt::Value Compiler::constant_value(const ast::Expr* e) {
    using K = ast::ExprKind;
    switch (e->kind) {
    case K::Constant:
    case K::UnaryOp:
    case K::BinOp:
    case K::Tuple:
    case K::Subscript: break;
    default: return rt::Value::null();
    }
    auto it = folded_.find(e);
    if (it != folded_.end()) return it->second;
    rt::Value v = fold(e);
    folded_.emplace(e, v);
    return v;
}

rt::Value Compiler::fold(const ast::Expr* e) {
    using K = ast::ExprKind;
    switch (e->kind) {
    case K::Constant: return literal_value(static_cast<const ast::Constant*>(e));
    case K::UnaryOp: {
        auto* un = static_cast<const ast::UnaryOp*>(e);
        rt::Value operand = constant_value(un->operand);
        if (operand.is_null()) return operand;
        switch (un->op) {
        case ast::UnaryOpKind::Not: {
            int truth = rt::truthy(operand);
            return truth < 0 ? folded_or_null(rt::Value::null()) : rt::Value::boolean(!truth);
        }
        case ast::UnaryOpKind::Invert:
            return folded_or_null(rt::unary_op(rt::UnaryOp::Invert, operand));
        case ast::UnaryOpKind::UAdd:
            return folded_or_null(rt::unary_op(rt::UnaryOp::Positive, operand));
        case ast::UnaryOpKind::USub:
            return folded_or_null(rt::unary_op(rt::UnaryOp::Negative, operand));
        }
        return rt::Value::null();
    }
    case K::BinOp: {
        auto* b = static_cast<const ast::BinOp*>(e);
        rt::Value left = constant_value(b->left);
        rt::Value right = constant_value(b->right);
        if (left.is_null() || right.is_null() || !safe_to_fold(b->op, left, right)) {
            return rt::Value::null();
        }
        return folded_or_null(rt::binary_op(runtime_binary_op(b->op), left, right));
    }
    case K::Tuple: {
        auto* t = static_cast<const ast::Tuple*>(e);
        if (t->ctx != ast::Ctx::Load || !all_constant(t->elts)) return rt::Value::null();
        return constant_tuple(t->elts);
    }
    case K::Subscript: {
        auto* s = static_cast<const ast::Subscript*>(e);
        if (s->ctx != ast::Ctx::Load) return rt::Value::null();
        rt::Value container = constant_value(s->value);
        rt::Value key = constant_value(s->slice);
        if (container.is_null() || key.is_null()) return rt::Value::null();
        return folded_or_null(rt::getitem(container, key));
    }
    default: return rt::Value::null();
    }
}

bool has_starred(const ast::ExprList& elts) {
    return std::any_of(elts.begin(), elts.end(),
                       [](const ast::Expr* e) { return e->kind == ast::ExprKind::Starred; });
}

bool Compiler::all_constant(const ast::ExprList& elts) {
    return std::all_of(elts.begin(), elts.end(),
                       [this](const ast::Expr* e) { return !constant_value(e).is_null(); });
}

void Compiler::load_value(rt::Value v) { emit(vm::Op::LOAD_CONST, add_const(v)); }

rt::Value Compiler::constant_tuple(const ast::ExprList& elts) {
    rt::Tuple* tuple = rt::make_tuple(static_cast<int64_t>(elts.size()));
    for (size_t i = 0; i < elts.size(); ++i) tuple->items[i] = constant_value(elts[i]);
    return rt::Value::object(tuple);
}

rt::Value Compiler::constant_frozenset(const ast::ExprList& elts) {
    std::vector<rt::Value> items;
    for (const ast::Expr* e : elts) items.push_back(constant_value(e));
    rt::Set* set = rt::make_constant_frozenset(items.data(), static_cast<int64_t>(items.size()));
    return set ? rt::Value::object(set) : folded_or_null(rt::Value::null());
}

void Compiler::visit_iterable(const ast::Expr* e) {
    if (e->kind == ast::ExprKind::List && !has_starred(static_cast<const ast::List*>(e)->elts)) {
        auto* l = static_cast<const ast::List*>(e);
        SavedLoc line = enter_loc(e->loc);
        if (all_constant(l->elts)) {
            load_value(constant_tuple(l->elts));
        } else {
            starunpack(l->elts, 0, vm::Op::BUILD_LIST, vm::Op::LIST_APPEND, vm::Op::LIST_EXTEND,
                       true);
        }
        leave_loc(line);
        return;
    }
    if (e->kind == ast::ExprKind::Set && all_constant(static_cast<const ast::Set*>(e)->elts)) {
        rt::Value frozen = constant_frozenset(static_cast<const ast::Set*>(e)->elts);
        if (!frozen.is_null()) {
            SavedLoc line = enter_loc(e->loc);
            load_value(frozen);
            leave_loc(line);
            return;
        }
    }
    visit_expr(e);
}

} // namespace apy::compiler
