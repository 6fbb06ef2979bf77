// The abstract syntax tree: the parser builds it, the compiler walks it.
// Node kinds and fields follow CPython's `ast` module, so its documentation
// describes them. Nodes live in an Arena owned by the parse result and refer to
// each other by plain pointers; nothing in the tree owns anything.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace apy::ast {

struct Loc {
    int line = 0, col = 0;          // 1-based line, 0-based byte column
    int end_line = 0, end_col = 0;  // exclusive end
};

enum class Ctx : uint8_t { Load, Store, Del };

enum class BinOpKind : uint8_t { Add, Sub, Mult, MatMult, Div, Mod, Pow, LShift, RShift, BitOr, BitXor, BitAnd, FloorDiv };
enum class UnaryOpKind : uint8_t { Invert, Not, UAdd, USub };
enum class BoolOpKind : uint8_t { And, Or };
enum class CmpOpKind : uint8_t { Eq, NotEq, Lt, LtE, Gt, GtE, Is, IsNot, In, NotIn };

struct Node {
    Loc loc;
    virtual ~Node() = default;
};

// ---------------------------------------------------------------- expressions

enum class ExprKind : uint8_t {
    BoolOp, NamedExpr, BinOp, UnaryOp, Lambda, IfExp, Dict, Set, ListComp, SetComp, DictComp,
    GeneratorExp, Await, Yield, YieldFrom, Compare, Call, FormattedValue, JoinedStr, Constant,
    Attribute, Subscript, Starred, Name, List, Tuple, Slice
};

struct Expr : Node {
    explicit Expr(ExprKind k) : kind(k) {}
    ExprKind kind;
};
using ExprList = std::vector<Expr*>;

struct Stmt;
using StmtList = std::vector<Stmt*>;

struct BoolOp : Expr {
    BoolOp() : Expr(ExprKind::BoolOp) {}
    BoolOpKind op{};
    ExprList values;  // two or more
};
struct NamedExpr : Expr {
    NamedExpr() : Expr(ExprKind::NamedExpr) {}
    Expr* target = nullptr;  // a Name
    Expr* value = nullptr;
};
struct BinOp : Expr {
    BinOp() : Expr(ExprKind::BinOp) {}
    Expr* left = nullptr;
    BinOpKind op{};
    Expr* right = nullptr;
};
struct UnaryOp : Expr {
    UnaryOp() : Expr(ExprKind::UnaryOp) {}
    UnaryOpKind op{};
    Expr* operand = nullptr;
};

struct Arg : Node {
    std::string name;
    Expr* annotation = nullptr;  // may be nullptr
};
// Parameters of a def or lambda, as in CPython's ast.arguments.
struct Arguments : Node {
    std::vector<Arg*> posonlyargs;
    std::vector<Arg*> args;
    Arg* vararg = nullptr;  // *args
    std::vector<Arg*> kwonlyargs;
    ExprList kw_defaults;  // one per kwonlyarg, nullptr where it has none
    Arg* kwarg = nullptr;  // **kwargs
    ExprList defaults;     // for the last len(defaults) of posonlyargs + args
};

struct Lambda : Expr {
    Lambda() : Expr(ExprKind::Lambda) {}
    Arguments* args = nullptr;
    Expr* body = nullptr;
};
struct IfExp : Expr {
    IfExp() : Expr(ExprKind::IfExp) {}
    Expr* test = nullptr;
    Expr* body = nullptr;
    Expr* orelse = nullptr;
};
struct Dict : Expr {
    Dict() : Expr(ExprKind::Dict) {}
    ExprList keys;  // nullptr key: `**values[i]` unpacking
    ExprList values;
};
struct Set : Expr {
    Set() : Expr(ExprKind::Set) {}
    ExprList elts;
};

struct Comprehension : Node {
    Expr* target = nullptr;
    Expr* iter = nullptr;
    ExprList ifs;
    bool is_async = false;
};
using ComprehensionList = std::vector<Comprehension*>;

struct ListComp : Expr {
    ListComp() : Expr(ExprKind::ListComp) {}
    Expr* elt = nullptr;
    ComprehensionList generators;
};
struct SetComp : Expr {
    SetComp() : Expr(ExprKind::SetComp) {}
    Expr* elt = nullptr;
    ComprehensionList generators;
};
struct DictComp : Expr {
    DictComp() : Expr(ExprKind::DictComp) {}
    Expr* key = nullptr;
    Expr* value = nullptr;
    ComprehensionList generators;
};
struct GeneratorExp : Expr {
    GeneratorExp() : Expr(ExprKind::GeneratorExp) {}
    Expr* elt = nullptr;
    ComprehensionList generators;
};
struct Await : Expr {
    Await() : Expr(ExprKind::Await) {}
    Expr* value = nullptr;
};
struct Yield : Expr {
    Yield() : Expr(ExprKind::Yield) {}
    Expr* value = nullptr;  // may be nullptr
};
struct YieldFrom : Expr {
    YieldFrom() : Expr(ExprKind::YieldFrom) {}
    Expr* value = nullptr;
};
struct Compare : Expr {
    Compare() : Expr(ExprKind::Compare) {}
    Expr* left = nullptr;
    std::vector<CmpOpKind> ops;
    ExprList comparators;
};

struct Keyword : Node {
    std::string arg;  // empty for `**value`
    Expr* value = nullptr;
};

struct Call : Expr {
    Call() : Expr(ExprKind::Call) {}
    Expr* func = nullptr;
    ExprList args;  // may contain Starred for `*x`
    std::vector<Keyword*> keywords;
};
struct FormattedValue : Expr {
    FormattedValue() : Expr(ExprKind::FormattedValue) {}
    Expr* value = nullptr;
    int conversion = -1;          // -1, 's', 'r' or 'a'
    Expr* format_spec = nullptr;  // a JoinedStr or nullptr
};
struct JoinedStr : Expr {
    JoinedStr() : Expr(ExprKind::JoinedStr) {}
    ExprList values;  // Constant(str) and FormattedValue
};

enum class ConstKind : uint8_t { None, True, False, Ellipsis, Int, Float, Str };
struct Constant : Expr {
    Constant() : Expr(ExprKind::Constant) {}
    ConstKind value_kind = ConstKind::None;
    std::string text;  // Int: literal digits with any 0x/0o/0b prefix; Str: the value (UTF-8)
    double number = 0;  // Float
};

struct Attribute : Expr {
    Attribute() : Expr(ExprKind::Attribute) {}
    Expr* value = nullptr;
    std::string attr;
    Ctx ctx = Ctx::Load;
};
struct Subscript : Expr {
    Subscript() : Expr(ExprKind::Subscript) {}
    Expr* value = nullptr;
    Expr* slice = nullptr;  // a Slice, a Tuple (of which some may be Slices) or any expression
    Ctx ctx = Ctx::Load;
};
struct Starred : Expr {
    Starred() : Expr(ExprKind::Starred) {}
    Expr* value = nullptr;
    Ctx ctx = Ctx::Load;
};
struct Name : Expr {
    Name() : Expr(ExprKind::Name) {}
    std::string id;
    Ctx ctx = Ctx::Load;
};
struct List : Expr {
    List() : Expr(ExprKind::List) {}
    ExprList elts;
    Ctx ctx = Ctx::Load;
};
struct Tuple : Expr {
    Tuple() : Expr(ExprKind::Tuple) {}
    ExprList elts;
    Ctx ctx = Ctx::Load;
};
struct Slice : Expr {
    Slice() : Expr(ExprKind::Slice) {}
    Expr* lower = nullptr;
    Expr* upper = nullptr;
    Expr* step = nullptr;
};

// ----------------------------------------------------------------- statements

enum class StmtKind : uint8_t {
    FunctionDef, ClassDef, Return, Delete, Assign, AugAssign, AnnAssign, For, While, If, With,
    Raise, Try, Assert, Import, ImportFrom, Global, Nonlocal, ExprStmt, Pass, Break, Continue
};

struct Stmt : Node {
    explicit Stmt(StmtKind k) : kind(k) {}
    StmtKind kind;
};

struct FunctionDef : Stmt {
    FunctionDef() : Stmt(StmtKind::FunctionDef) {}
    std::string name;
    Arguments* args = nullptr;
    StmtList body;
    ExprList decorator_list;
    Expr* returns = nullptr;  // the return annotation; may be nullptr
    bool is_async = false;
};
struct ClassDef : Stmt {
    ClassDef() : Stmt(StmtKind::ClassDef) {}
    std::string name;
    ExprList bases;
    std::vector<Keyword*> keywords;
    StmtList body;
    ExprList decorator_list;
};
struct Return : Stmt {
    Return() : Stmt(StmtKind::Return) {}
    Expr* value = nullptr;
};
struct Delete : Stmt {
    Delete() : Stmt(StmtKind::Delete) {}
    ExprList targets;
};
struct Assign : Stmt {
    Assign() : Stmt(StmtKind::Assign) {}
    ExprList targets;  // `a = b = value` has two
    Expr* value = nullptr;
};
struct AugAssign : Stmt {
    AugAssign() : Stmt(StmtKind::AugAssign) {}
    Expr* target = nullptr;
    BinOpKind op{};
    Expr* value = nullptr;
};
struct AnnAssign : Stmt {
    AnnAssign() : Stmt(StmtKind::AnnAssign) {}
    Expr* target = nullptr;
    Expr* annotation = nullptr;
    Expr* value = nullptr;  // may be nullptr
    bool simple = false;    // target is a plain name, not in parentheses
};
struct For : Stmt {
    For() : Stmt(StmtKind::For) {}
    Expr* target = nullptr;
    Expr* iter = nullptr;
    StmtList body;
    StmtList orelse;
    bool is_async = false;
};
struct While : Stmt {
    While() : Stmt(StmtKind::While) {}
    Expr* test = nullptr;
    StmtList body;
    StmtList orelse;
};
struct If : Stmt {
    If() : Stmt(StmtKind::If) {}
    Expr* test = nullptr;
    StmtList body;
    StmtList orelse;  // an elif is a lone If here
};
struct WithItem : Node {
    Expr* context_expr = nullptr;
    Expr* optional_vars = nullptr;
};
struct With : Stmt {
    With() : Stmt(StmtKind::With) {}
    std::vector<WithItem*> items;
    StmtList body;
    bool is_async = false;
};
struct Raise : Stmt {
    Raise() : Stmt(StmtKind::Raise) {}
    Expr* exc = nullptr;    // nullptr: bare raise
    Expr* cause = nullptr;  // `from cause`
};
struct ExceptHandler : Node {
    Expr* type = nullptr;  // nullptr: bare except
    std::string name;      // empty when there is no `as`
    StmtList body;
};
struct Try : Stmt {
    Try() : Stmt(StmtKind::Try) {}
    StmtList body;
    std::vector<ExceptHandler*> handlers;
    StmtList orelse;
    StmtList finalbody;
    bool is_star = false;  // except*
};
struct Assert : Stmt {
    Assert() : Stmt(StmtKind::Assert) {}
    Expr* test = nullptr;
    Expr* msg = nullptr;
};
struct Alias : Node {
    std::string name;    // dotted for `import a.b`; "*" for `from m import *`
    std::string asname;  // empty when there is no `as`
};
struct Import : Stmt {
    Import() : Stmt(StmtKind::Import) {}
    std::vector<Alias*> names;
};
struct ImportFrom : Stmt {
    ImportFrom() : Stmt(StmtKind::ImportFrom) {}
    std::string module;  // dotted; may be empty with level > 0
    std::vector<Alias*> names;
    int level = 0;  // leading dots
};
struct Global : Stmt {
    Global() : Stmt(StmtKind::Global) {}
    std::vector<std::string> names;
};
struct Nonlocal : Stmt {
    Nonlocal() : Stmt(StmtKind::Nonlocal) {}
    std::vector<std::string> names;
};
struct ExprStmt : Stmt {
    ExprStmt() : Stmt(StmtKind::ExprStmt) {}
    Expr* value = nullptr;
};
struct Pass : Stmt {
    Pass() : Stmt(StmtKind::Pass) {}
};
struct Break : Stmt {
    Break() : Stmt(StmtKind::Break) {}
};
struct Continue : Stmt {
    Continue() : Stmt(StmtKind::Continue) {}
};

// Owns every node of one parse.
class Arena {
public:
    template <class T>
    T* make(Loc loc = {}) {
        auto node = std::make_unique<T>();
        node->loc = loc;
        T* raw = node.get();
        nodes_.push_back(std::move(node));
        return raw;
    }

private:
    std::vector<std::unique_ptr<Node>> nodes_;
};

// A parsed file, -c string or REPL entry.
struct Module {
    Arena arena;
    StmtList body;
};

// Prints the tree in a form close to CPython's ast.dump (for `apy --ast` and tests).
std::string dump(const Module& module);

}  // namespace apy::ast
