// Scope analysis, as CPython's symtable.c: one Scope per module, function,
// lambda, class body and comprehension, saying for every name whether it is
// local, global (declared or implied), free (from an enclosing function) or a
// cell (local, captured by an inner function).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lexer/source.h"
#include "parser/ast.h"

namespace apy::compiler {

enum class ScopeKind : uint8_t { Module, Function, Class };

enum class CompKind : uint8_t { None, List, Set, Dict, Generator };

// How a name defined or used in a scope is reached, as CPython's scope constants.
enum class Resolution : uint8_t { Unknown, Local, GlobalExplicit, GlobalImplicit, Free, Cell };

// Flags recorded while walking the tree (CPython's DEF_* bits).
enum SymbolFlag : uint32_t {
    kDefGlobal = 1 << 0,
    kDefLocal = 1 << 1,
    kDefParam = 1 << 2,
    kDefNonlocal = 1 << 3,
    kUse = 1 << 4,
    kDefFreeClass = 1 << 5,  // a class binds it and one of its methods uses it freely
    kDefImport = 1 << 6,
    kDefAnnot = 1 << 7,
    kDefCompIter = 1 << 8,
    kDefBound = kDefLocal | kDefParam | kDefImport,
};

struct Symbol {
    uint32_t flags = 0;
    Resolution scope = Resolution::Unknown;
    ast::Loc decl_loc;  // where a global/nonlocal declared it, for error messages
};

struct Scope {
    ScopeKind kind = ScopeKind::Module;
    std::string name;
    const ast::Node* node = nullptr;
    int lineno = 0;
    std::unordered_map<std::string, Symbol> symbols;
    std::vector<std::string> order;     // symbol names in the order first seen
    std::vector<std::string> varnames;  // parameters, in order
    std::vector<Scope*> children;
    Scope* parent = nullptr;

    CompKind comprehension = CompKind::None;
    bool is_lambda = false;
    bool is_async_def = false;
    bool nested = false;
    bool generator = false;
    bool coroutine = false;
    bool varargs = false;
    bool varkeywords = false;
    bool needs_class_closure = false;  // a class body whose methods use __class__/super()
    int comp_iter_target = 0;          // walking a comprehension's target
    int comp_iter_expr = 0;            // walking a comprehension's iterable
    std::string private_name;          // enclosing class name, for mangling

    Resolution resolve(const std::string& name) const {
        auto it = symbols.find(name);
        return it == symbols.end() ? Resolution::Unknown : it->second.scope;
    }
    uint32_t flags_of(const std::string& name) const {
        auto it = symbols.find(name);
        return it == symbols.end() ? 0 : it->second.flags;
    }
};

class SymbolTable {
public:
    // Walks and analyses [module]. Throws SyntaxErrorInfo (SyntaxError, or
    // RecursionError when the tree nests too deep).
    static std::unique_ptr<SymbolTable> build(const ast::Module& module);

    Scope* top() const { return scopes_.front().get(); }
    // The scope a FunctionDef, Lambda, ClassDef or comprehension expression opens.
    Scope* scope_of(const ast::Node* node) const;

private:
    friend class SymtableBuilder;
    std::vector<std::unique_ptr<Scope>> scopes_;
    std::unordered_map<const ast::Node*, Scope*> by_node_;
};

// CPython's private name mangling: `__x` inside class `C` is `_C__x`.
std::string mangle(const std::string& private_name, const std::string& name);

// How deep expressions and statements may nest before compilation gives up.
constexpr int kMaxNesting = 2000;

}  // namespace apy::compiler
