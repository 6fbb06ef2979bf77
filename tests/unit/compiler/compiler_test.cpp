// Compiles small programs and checks the instruction sequences, flags and errors.
#include <gtest/gtest.h>

#include "compiler/compiler.h"
#include "compiler/symtable.h"
#include "parser/driver.h"
#include "runtime/runtime.h"
#include "vm/disasm.h"

namespace apy {
namespace {

class RuntimeEnv : public ::testing::Environment {
public:
    void SetUp() override { rt::init_runtime({"apy"}); }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new RuntimeEnv);

vm::Code* compile(const std::string& text, compiler::Mode mode = compiler::Mode::File) {
    Source source("<test>", text);
    auto module = parse::parse(source, mode == compiler::Mode::File ? parse::Mode::File
                                                                     : parse::Mode::Interactive);
    return compiler::compile_module(*module, source, mode);
}

// "OPNAME operand" per instruction, the operand shown by what it means when it means something.
std::string ops(const vm::Code* code) {
    std::string out;
    for (size_t i = 0; i < code->instructions.size(); ++i) {
        vm::Op op = vm::emitted_op(vm::instr_op(code->instructions[i]));
        const vm::OpInfo& info = vm::op_info(op);
        if (!out.empty()) out += "; ";
        out += info.name;
        if (info.operand == vm::OperandKind::None) continue;
        std::string text = vm::disassemble_instr(code, static_cast<int>(i));
        size_t paren = text.find(" (");
        if (info.operand == vm::OperandKind::Jump || paren == std::string::npos) {
            out += " " + std::to_string(vm::instr_arg(code->instructions[i]));
        } else {
            out += " " + text.substr(paren + 2, text.size() - paren - 3);
        }
    }
    return out;
}

const vm::Code* child(const vm::Code* code, const std::string& name) {
    for (rt::Value v : code->consts) {
        if (!rt::is_layout(v, rt::Layout::Code)) continue;
        auto* c = static_cast<const vm::Code*>(v.as_object());
        if (c->name->view() == name) return c;
        if (const vm::Code* found = child(c, name)) return found;
    }
    return nullptr;
}

std::string error_of(const std::string& text, std::string* type = nullptr) {
    try {
        compile(text);
    } catch (const SyntaxErrorInfo& e) {
        if (type) *type = e.type;
        return e.message;
    }
    return "";
}

std::vector<std::string> strs(const std::vector<rt::Str*>& v) {
    std::vector<std::string> out;
    for (rt::Str* s : v) out.emplace_back(s->view());
    return out;
}

constexpr const char* kEnd = "LOAD_CONST None; RETURN_VALUE";

TEST(Compiler, SimpleCall) {
    vm::Code* code = compile("f(a, b)\n");
    EXPECT_EQ(ops(code),
              std::string("LOAD_NAME f; PUSH_NULL; LOAD_NAME a; LOAD_NAME b; CALL 2; POP_TOP; ") +
                  kEnd);
    EXPECT_EQ(code->stacksize, 4);
    EXPECT_EQ(code->flags, vm::kModuleLevel);
}

TEST(Compiler, MethodCallWithKeywords) {
    EXPECT_EQ(ops(compile("o.m(a, k=1)\n")),
              std::string("LOAD_NAME o; LOAD_METHOD m; LOAD_NAME a; LOAD_CONST 1; "
                          "KW_NAMES ('k',); CALL 2; POP_TOP; ") + kEnd);
}

TEST(Compiler, StarCall) {
    EXPECT_EQ(ops(compile("f(x, *a, k=1, **kw)\n")),
              std::string("LOAD_NAME f; PUSH_NULL; LOAD_NAME x; BUILD_LIST 1; LOAD_NAME a; "
                          "LIST_EXTEND 1; LIST_TO_TUPLE; LOAD_CONST 'k'; LOAD_CONST 1; "
                          "BUILD_MAP 1; LOAD_NAME kw; DICT_MERGE 1; CALL_FUNCTION_EX 1; "
                          "POP_TOP; ") + kEnd);
}

TEST(Compiler, Assignments) {
    EXPECT_EQ(ops(compile("a = b = 1\n")),
              std::string("LOAD_CONST 1; COPY 1; STORE_NAME a; STORE_NAME b; ") + kEnd);
    EXPECT_EQ(ops(compile("a, *b, c = x\n")),
              std::string("LOAD_NAME x; UNPACK_EX 257; STORE_NAME a; STORE_NAME b; "
                          "STORE_NAME c; ") + kEnd);
    EXPECT_EQ(ops(compile("a.b += 1\n")),
              std::string("LOAD_NAME a; COPY 1; LOAD_ATTR b; LOAD_CONST 1; BINARY_OP +=; "
                          "SWAP 2; STORE_ATTR b; ") + kEnd);
    EXPECT_EQ(ops(compile("a[i] -= 1\n")),
              std::string("LOAD_NAME a; LOAD_NAME i; COPY 2; COPY 2; BINARY_SUBSCR; "
                          "LOAD_CONST 1; BINARY_OP -=; SWAP 3; SWAP 2; STORE_SUBSCR; ") + kEnd);
    EXPECT_EQ(error_of("a, *b, *c = x\n"), "multiple starred expressions in assignment");
}

TEST(Compiler, ChainedCompare) {
    EXPECT_EQ(ops(compile("a < b < c\n")),
              std::string("LOAD_NAME a; LOAD_NAME b; SWAP 2; COPY 2; COMPARE_OP <; "
                          "JUMP_IF_FALSE_OR_POP 9; LOAD_NAME c; COMPARE_OP <; JUMP 11; "
                          "SWAP 2; POP_TOP; POP_TOP; ") + kEnd);
}

TEST(Compiler, FunctionScopes) {
    vm::Code* code = compile(
        "def f(a, *args, k=2, **kw):\n"
        "    b = a\n"
        "    def g():\n"
        "        return a + c\n"
        "    return g\n");
    const vm::Code* f = child(code, "f");
    ASSERT_TRUE(f);
    EXPECT_EQ(strs(f->varnames), (std::vector<std::string>{"a", "k", "args", "kw", "b", "g"}));
    EXPECT_EQ(strs(f->cellvars), (std::vector<std::string>{"a"}));
    EXPECT_EQ(f->cell2arg, (std::vector<int32_t>{0}));
    EXPECT_EQ(f->argcount, 1);
    EXPECT_EQ(f->kwonlyargcount, 1);
    EXPECT_EQ(f->flags, vm::kVarArgs | vm::kVarKeywords);
    EXPECT_EQ(ops(f).substr(0, 39), "MAKE_CELL a; LOAD_DEREF a; STORE_FAST b");
    const vm::Code* g = child(code, "g");
    ASSERT_TRUE(g);
    EXPECT_EQ(strs(g->freevars), (std::vector<std::string>{"a"}));
    EXPECT_EQ(ops(g), "LOAD_DEREF a; LOAD_GLOBAL c; BINARY_OP +; RETURN_VALUE");
    EXPECT_EQ(std::string(g->qualname->view()), "f.<locals>.g");
    EXPECT_NE(ops(f).find("LOAD_CLOSURE a; BUILD_TUPLE 1; LOAD_CONST <code object g at line 3>; "
                          "MAKE_FUNCTION 8"),
              std::string::npos);
    EXPECT_NE(ops(code).find("LOAD_CONST 2; LOAD_CONST ('k',); BUILD_CONST_KEY_MAP 1; "
                             "LOAD_CONST <code object f at line 1>; MAKE_FUNCTION 2"),
              std::string::npos);
}

TEST(Compiler, Docstring) {
    const vm::Code* f = child(compile("def f():\n    'doc'\n    return 1\n"), "f");
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->has_docstring);
    EXPECT_EQ(ops(f), "LOAD_CONST 1; RETURN_VALUE");
    EXPECT_TRUE(rt::is_str(f->consts[0]));
}

TEST(Compiler, GlobalNonlocal) {
    vm::Code* code = compile(
        "def f():\n"
        "    global x\n"
        "    x = 1\n"
        "    y = 2\n"
        "    def g():\n"
        "        nonlocal y\n"
        "        y = 3\n");
    EXPECT_EQ(ops(child(code, "f")).substr(0, 32), "LOAD_CONST 1; STORE_GLOBAL x; LO");
    EXPECT_EQ(ops(child(code, "g")), std::string("LOAD_CONST 3; STORE_DEREF y; ") + kEnd);
    EXPECT_EQ(error_of("def f():\n    print(x)\n    global x\n"),
              "name 'x' is used prior to global declaration");
    EXPECT_EQ(error_of("def f():\n    x = 1\n    global x\n"),
              "name 'x' is assigned to before global declaration");
    EXPECT_EQ(error_of("def f():\n    nonlocal x\n"), "no binding for nonlocal 'x' found");
    EXPECT_EQ(error_of("nonlocal x\n"), "nonlocal declaration not allowed at module level");
    EXPECT_EQ(error_of("def f(a):\n    global a\n"), "name 'a' is parameter and global");
}

TEST(Compiler, ClassBody) {
    vm::Code* code = compile(
        "def outer():\n"
        "    v = 1\n"
        "    class C(B, metaclass=M):\n"
        "        w = v\n"
        "        def m(self):\n"
        "            return super().m()\n"
        "    return C\n");
    const vm::Code* c = child(code, "C");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->flags, vm::kModuleLevel | vm::kClassBody);
    EXPECT_EQ(strs(c->cellvars), (std::vector<std::string>{"__class__"}));
    EXPECT_EQ(ops(c),
              "LOAD_NAME __name__; STORE_NAME __module__; LOAD_CONST 'outer.<locals>.C'; "
              "STORE_NAME __qualname__; LOAD_CLASSDEREF v; STORE_NAME w; "
              "LOAD_CLOSURE __class__; BUILD_TUPLE 1; LOAD_CONST <code object m at line 5>; "
              "MAKE_FUNCTION 8; STORE_NAME m; LOAD_CLOSURE __class__; COPY 1; "
              "STORE_NAME __classcell__; RETURN_VALUE");
    const vm::Code* m = child(code, "m");
    EXPECT_EQ(strs(m->freevars), (std::vector<std::string>{"__class__"}));
    EXPECT_EQ(std::string(m->qualname->view()), "outer.<locals>.C.m");
    const vm::Code* outer = child(code, "outer");
    EXPECT_NE(ops(outer).find("LOAD_BUILD_CLASS; PUSH_NULL; LOAD_CLOSURE v; BUILD_TUPLE 1; "
                              "LOAD_CONST <code object C at line 3>; MAKE_FUNCTION 8; "
                              "LOAD_CONST 'C'; LOAD_GLOBAL B; LOAD_GLOBAL M; "
                              "KW_NAMES ('metaclass',); CALL 4; STORE_FAST C"),
              std::string::npos)
        << ops(outer);
}

TEST(Compiler, Generators) {
    vm::Code* code = compile(
        "def g(x):\n"
        "    yield x\n"
        "    yield from x\n"
        "async def c(x):\n"
        "    await x\n");
    const vm::Code* g = child(code, "g");
    EXPECT_EQ(g->flags, vm::kGenerator);
    EXPECT_EQ(ops(g),
              "RETURN_GENERATOR; POP_TOP; LOAD_FAST x; YIELD_VALUE 0; POP_TOP; LOAD_FAST x; "
              "GET_YIELD_FROM_ITER; LOAD_CONST None; SEND 11; YIELD_VALUE 0; JUMP_BACKWARD 8; "
              "POP_TOP; LOAD_CONST None; RETURN_VALUE");
    const vm::Code* c = child(code, "c");
    EXPECT_EQ(c->flags, vm::kCoroutine);
    EXPECT_EQ(ops(c),
              "RETURN_GENERATOR; POP_TOP; LOAD_FAST x; GET_AWAITABLE 0; LOAD_CONST None; "
              "SEND 8; YIELD_VALUE 0; JUMP_BACKWARD 5; POP_TOP; LOAD_CONST None; RETURN_VALUE");
    EXPECT_EQ(error_of("yield 1\n"), "'yield' outside function");
    EXPECT_EQ(error_of("await x\n"), "'await' outside function");
    EXPECT_EQ(error_of("def f():\n    await x\n"), "'await' outside async function");
    EXPECT_EQ(error_of("def f():\n    async for x in y: pass\n"),
              "'async for' outside async function");
    EXPECT_EQ(error_of("def f():\n    async with x: pass\n"),
              "'async with' outside async function");
    EXPECT_EQ(error_of("[(yield x) for x in y]\n"), "'yield' inside list comprehension");
}

TEST(Compiler, Comprehensions) {
    vm::Code* code = compile("def f(it):\n    return [y for x in it if x for y in x]\n");
    const vm::Code* f = child(code, "f");
    EXPECT_EQ(ops(f),
              "LOAD_CONST <code object <listcomp> at line 2>; MAKE_FUNCTION 0; LOAD_FAST it; "
              "GET_ITER; CALL 0; RETURN_VALUE");
    const vm::Code* comp = child(code, "<listcomp>");
    EXPECT_EQ(strs(comp->varnames), (std::vector<std::string>{".0", "x", "y"}));
    EXPECT_EQ(comp->argcount, 1);
    EXPECT_EQ(ops(comp),
              "BUILD_LIST 0; LOAD_FAST .0; FOR_ITER 14; STORE_FAST x; LOAD_FAST x; "
              "POP_JUMP_IF_FALSE 13; LOAD_FAST x; GET_ITER; FOR_ITER 13; STORE_FAST y; "
              "LOAD_FAST y; LIST_APPEND 3; JUMP_BACKWARD 8; JUMP_BACKWARD 2; RETURN_VALUE");
    EXPECT_EQ(std::string(comp->qualname->view()), "f.<locals>.<listcomp>");

    const vm::Code* gen = child(compile("g = (x for x in y)\n"), "<genexpr>");
    EXPECT_EQ(gen->flags, vm::kGenerator);
    EXPECT_EQ(ops(gen),
              "RETURN_GENERATOR; POP_TOP; LOAD_FAST .0; FOR_ITER 9; STORE_FAST x; LOAD_FAST x; "
              "YIELD_VALUE 0; POP_TOP; JUMP_BACKWARD 3; LOAD_CONST None; RETURN_VALUE");
}

TEST(Compiler, WalrusInComprehension) {
    vm::Code* code = compile("def f(a):\n    [last := x for x in a]\n    return last\n");
    const vm::Code* f = child(code, "f");
    EXPECT_EQ(strs(f->cellvars), (std::vector<std::string>{"last"}));
    const vm::Code* comp = child(code, "<listcomp>");
    EXPECT_EQ(strs(comp->freevars), (std::vector<std::string>{"last"}));
    EXPECT_NE(ops(comp).find("LOAD_FAST x; COPY 1; STORE_DEREF last; LIST_APPEND 2"),
              std::string::npos);
    vm::Code* top = compile("[last := x for x in a]\n");
    EXPECT_NE(ops(child(top, "<listcomp>")).find("STORE_GLOBAL last"), std::string::npos);
}

TEST(Compiler, TryExcept) {
    vm::Code* code = compile(
        "try:\n"
        "    f()\n"
        "except E as e:\n"
        "    g()\n"
        "except:\n"
        "    pass\n");
    EXPECT_EQ(ops(code),
              "SETUP_FINALLY 7; LOAD_NAME f; PUSH_NULL; CALL 0; POP_TOP; POP_BLOCK; "
              "JUMP 37; "
              // handlers
              "SETUP_FINALLY 34; PUSH_EXC_INFO; LOAD_NAME E; CHECK_EXC_MATCH; "
              "POP_JUMP_IF_FALSE 29; STORE_NAME e; SETUP_FINALLY 25; LOAD_NAME g; PUSH_NULL; "
              "CALL 0; POP_TOP; POP_BLOCK; POP_BLOCK; POP_EXCEPT; LOAD_CONST None; "
              "STORE_NAME e; DELETE_NAME e; JUMP 37; LOAD_CONST None; STORE_NAME e; "
              "DELETE_NAME e; RERAISE; POP_TOP; POP_BLOCK; POP_EXCEPT; JUMP 37; RERAISE; "
              // cleanup
              "SWAP 2; POP_EXCEPT; RERAISE; LOAD_CONST None; RETURN_VALUE");
    EXPECT_EQ(code->maxblocks, 2);
    EXPECT_EQ(code->stacksize, 3);
    EXPECT_EQ(error_of("try:\n    pass\nexcept:\n    pass\nexcept E:\n    pass\n"),
              "default 'except:' must be last");
}

TEST(Compiler, TryFinally) {
    EXPECT_EQ(ops(compile("try:\n    f()\nfinally:\n    g()\n")),
              "SETUP_FINALLY 11; LOAD_NAME f; PUSH_NULL; CALL 0; POP_TOP; POP_BLOCK; "
              "LOAD_NAME g; PUSH_NULL; CALL 0; POP_TOP; JUMP 21; "
              "SETUP_FINALLY 18; PUSH_EXC_INFO; LOAD_NAME g; PUSH_NULL; CALL 0; POP_TOP; "
              "RERAISE; SWAP 2; POP_EXCEPT; RERAISE; " + std::string(kEnd));
}

TEST(Compiler, With) {
    vm::Code* code = compile("with a as b:\n    f()\n");
    EXPECT_EQ(ops(code),
              "LOAD_NAME a; BEFORE_WITH; SETUP_WITH 15; STORE_NAME b; LOAD_NAME f; PUSH_NULL; "
              "CALL 0; POP_TOP; POP_BLOCK; LOAD_CONST None; LOAD_CONST None; LOAD_CONST None; "
              "CALL 2; POP_TOP; JUMP 27; "
              "SETUP_FINALLY 20; PUSH_EXC_INFO; WITH_EXCEPT_START; POP_JUMP_IF_TRUE 23; "
              "RERAISE; SWAP 2; POP_EXCEPT; RERAISE; POP_TOP; POP_BLOCK; POP_EXCEPT; POP_TOP; " +
                  std::string(kEnd));
    EXPECT_EQ(code->stacksize, 4);
    EXPECT_EQ(code->maxblocks, 1);
}

TEST(Compiler, Loops) {
    EXPECT_EQ(
        ops(compile("for x in y:\n    if x: break\nelse:\n    z()\n")),
        "LOAD_NAME y; GET_ITER; FOR_ITER 9; STORE_NAME x; LOAD_NAME x; "
        "POP_JUMP_IF_FALSE 8; POP_ITERATOR; JUMP 13; JUMP_BACKWARD 2; LOAD_NAME z; PUSH_NULL; "
        "CALL 0; POP_TOP; " +
            std::string(kEnd));
    EXPECT_EQ(ops(compile("while x:\n    continue\n")),
              "LOAD_NAME x; POP_JUMP_IF_FALSE 4; JUMP_BACKWARD 0; JUMP_BACKWARD 0; " +
                  std::string(kEnd));
    EXPECT_EQ(error_of("break\n"), "'break' outside loop");
    EXPECT_EQ(error_of("continue\n"), "'continue' not properly in loop");
    EXPECT_EQ(error_of("return 1\n"), "'return' outside function");
    EXPECT_EQ(error_of("def f():\n    class C:\n        return 1\n"), "'return' outside function");
}

TEST(Compiler, ReturnThroughFinallyAndWith) {
    const vm::Code* f = child(compile(
        "def f():\n"
        "    for x in y:\n"
        "        with a:\n"
        "            try:\n"
        "                return g()\n"
        "            finally:\n"
        "                h()\n"), "f");
    std::string text = ops(f);
    EXPECT_NE(text.find("LOAD_GLOBAL g; PUSH_NULL; CALL 0; POP_BLOCK; LOAD_GLOBAL h; PUSH_NULL; "
                        "CALL 0; POP_TOP; POP_BLOCK; SWAP 2; LOAD_CONST None; LOAD_CONST None; "
                        "LOAD_CONST None; CALL 2; POP_TOP; SWAP 2; POP_ITERATOR; RETURN_VALUE"),
              std::string::npos)
        << text;
}

TEST(Compiler, BreakInExceptHandler) {
    const vm::Code* f = child(compile(
        "def f():\n"
        "    while 1:\n"
        "        try:\n"
        "            pass\n"
        "        except E as e:\n"
        "            break\n"), "f");
    std::string text = ops(f);
    EXPECT_NE(text.find("STORE_FAST e; SETUP_FINALLY"), std::string::npos);
    EXPECT_NE(text.find("POP_BLOCK; POP_BLOCK; POP_EXCEPT; LOAD_CONST None; STORE_FAST e; "
                        "DELETE_FAST e; JUMP"),
              std::string::npos)
        << text;
}

TEST(Compiler, Imports) {
    EXPECT_EQ(ops(compile("import a.b.c\n")),
              "LOAD_CONST 0; LOAD_CONST None; IMPORT_NAME a.b.c; STORE_NAME a; " +
                  std::string(kEnd));
    EXPECT_EQ(ops(compile("import a.b.c as d\n")),
              "LOAD_CONST 0; LOAD_CONST None; IMPORT_NAME a.b.c; IMPORT_FROM b; SWAP 2; "
              "POP_TOP; IMPORT_FROM c; STORE_NAME d; POP_TOP; " + std::string(kEnd));
    EXPECT_EQ(ops(compile("from ..m import x, y as z\n")),
              "LOAD_CONST 2; LOAD_CONST ('x', 'y'); IMPORT_NAME m; IMPORT_FROM x; STORE_NAME x; "
              "IMPORT_FROM y; STORE_NAME z; POP_TOP; " + std::string(kEnd));
    EXPECT_EQ(ops(compile("from m import *\n")),
              "LOAD_CONST 0; LOAD_CONST ('*',); IMPORT_NAME m; IMPORT_STAR; " +
                  std::string(kEnd));
    EXPECT_EQ(error_of("def f():\n    from m import *\n"),
              "import * only allowed at module level");
}

TEST(Compiler, Displays) {
    EXPECT_EQ(ops(compile("x = [a, *b]\n")),
              "LOAD_NAME a; BUILD_LIST 1; LOAD_NAME b; LIST_EXTEND 1; STORE_NAME x; " +
                  std::string(kEnd));
    EXPECT_EQ(ops(compile("x = {1: a, **b}\n")),
              "LOAD_CONST 1; LOAD_NAME a; BUILD_MAP 1; LOAD_NAME b; DICT_UPDATE 1; "
              "STORE_NAME x; " + std::string(kEnd));
    EXPECT_EQ(ops(compile("x = f'a{b!r:>{w}}'\n")),
              "LOAD_CONST 'a'; LOAD_NAME b; LOAD_CONST '>'; LOAD_NAME w; FORMAT_VALUE 0; "
              "BUILD_STRING 2; FORMAT_VALUE 6; BUILD_STRING 2; STORE_NAME x; " +
                  std::string(kEnd));
    EXPECT_EQ(ops(compile("x = a[1:2, ::3]\n")),
              "LOAD_NAME a; LOAD_CONST 1; LOAD_CONST 2; BUILD_SLICE 2; LOAD_CONST None; "
              "LOAD_CONST None; LOAD_CONST 3; BUILD_SLICE 3; BUILD_TUPLE 2; BINARY_SUBSCR; "
              "STORE_NAME x; " + std::string(kEnd));
    // Big displays are built incrementally, keeping the stack small.
    std::string big = "x = [";
    for (int i = 0; i < 100; ++i) big += "a, ";
    vm::Code* code = compile(big + "]\n");
    EXPECT_LT(code->stacksize, 4);
}

TEST(Compiler, BoolOpsAndAssert) {
    EXPECT_EQ(ops(compile("x = a and b or c\n")),
              "LOAD_NAME a; JUMP_IF_FALSE_OR_POP 3; LOAD_NAME b; JUMP_IF_TRUE_OR_POP 5; "
              "LOAD_NAME c; STORE_NAME x; " + std::string(kEnd));
    EXPECT_EQ(ops(compile("assert x, 'm'\n")),
              "LOAD_NAME x; POP_JUMP_IF_TRUE 6; LOAD_ASSERTION_ERROR; LOAD_CONST 'm'; CALL 0; "
              "RAISE_VARARGS 1; " + std::string(kEnd));
}

TEST(Compiler, Interactive) {
    EXPECT_EQ(ops(compile("1 + x\n", compiler::Mode::Interactive)),
              "LOAD_CONST 1; LOAD_NAME x; BINARY_OP +; PRINT_EXPR; " + std::string(kEnd));
}

TEST(Compiler, Decorators) {
    EXPECT_EQ(ops(compile("@d\ndef f(): pass\n")),
              "LOAD_NAME d; LOAD_CONST <code object f at line 1>; MAKE_FUNCTION 0; CALL 0; "
              "STORE_NAME f; " + std::string(kEnd));
}

TEST(Compiler, Mangling) {
    const vm::Code* c = child(compile("class C:\n    def f(self):\n        self.__x = __y\n"), "f");
    EXPECT_EQ(ops(c), "LOAD_GLOBAL _C__y; LOAD_FAST self; STORE_ATTR _C__x; " + std::string(kEnd));
}

TEST(Compiler, Limits) {
    std::string text;
    for (int i = 0; i < 21; ++i) text += std::string(i * 1, ' ') + "for x in y:\n";
    text += std::string(21, ' ') + "pass\n";
    EXPECT_EQ(error_of(text), "too many statically nested blocks");

    // The parser refuses deeper trees itself; a hand-made one checks the compiler's own limit.
    auto nested = [](int depth) {
        auto module = std::make_unique<ast::Module>();
        // -(-(...x)): a name, as negated constants would fold into one constant.
        auto* name = module->arena.make<ast::Name>(ast::Loc{1, 0, 1, 1});
        name->id = "x";
        ast::Expr* e = name;
        for (int i = 0; i < depth; ++i) {
            auto* u = module->arena.make<ast::UnaryOp>(ast::Loc{1, 0, 1, 1});
            u->op = ast::UnaryOpKind::USub;
            u->operand = e;
            e = u;
        }
        auto* s = module->arena.make<ast::ExprStmt>(ast::Loc{1, 0, 1, 1});
        s->value = e;
        module->body.push_back(s);
        return module;
    };
    Source source("<test>", "");
    try {
        compiler::compile_module(*nested(10000), source, compiler::Mode::File);
        ADD_FAILURE() << "no error";
    } catch (const SyntaxErrorInfo& e) {
        EXPECT_EQ(e.type, "RecursionError");
        EXPECT_EQ(e.message, "maximum recursion depth exceeded during compilation");
    }
    vm::Code* code = compiler::compile_module(*nested(compiler::kMaxNesting - 2), source,
                                              compiler::Mode::File);
    EXPECT_EQ(code->instructions.size(), static_cast<size_t>(compiler::kMaxNesting + 2));
}

TEST(Compiler, LineTable) {
    vm::Code* code = compile("x = 1\n\ny = (2 +\n     z)\n");
    ASSERT_EQ(code->lines.size(), code->instructions.size());
    EXPECT_EQ(code->lines[0], 1);
    EXPECT_EQ(code->lines[2], 3);
    EXPECT_EQ(code->lines[3], 4);  // z
    EXPECT_EQ(code->lines[4], 3);  // BINARY_OP
}

TEST(Disasm, Listing) {
    std::string text = vm::disassemble(compile("x = 1\ndef f(a):\n    return a + x\n"));
    EXPECT_NE(text.find("   1         0 LOAD_CONST                  0 (1)\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("STORE_NAME                  0 (x)"), std::string::npos) << text;
    EXPECT_NE(text.find("Disassembly of <code object f at line 2>:"), std::string::npos) << text;
    EXPECT_NE(text.find("BINARY_OP                   0 (+)"), std::string::npos) << text;
    EXPECT_NE(text.find("LOAD_FAST                   0 (a)"), std::string::npos) << text;
}

TEST(Compiler, ConstantFolding) {
    // Operators, tuples and subscripts of constants fold as CPython's AST optimizer does.
    EXPECT_EQ(ops(compile("x = -(2 ** 8) + 1, 'ab'[1], not 0\n")),
              "LOAD_CONST (-255, 'b', True); STORE_NAME x; LOAD_CONST None; RETURN_VALUE");
    // What fails or grows too big is left to run time.
    EXPECT_EQ(ops(compile("1 / 0\n")),
              "LOAD_CONST 1; LOAD_CONST 0; BINARY_OP /; POP_TOP; LOAD_CONST None; RETURN_VALUE");
    EXPECT_NE(ops(compile("x = 'a' * 5000\n")).find("BINARY_OP *"), std::string::npos);
    // A list to iterate or test membership in becomes a tuple; a constant set a frozenset.
    EXPECT_EQ(ops(compile("for v in [1, 2]: pass\n")).substr(0, 28),
              "LOAD_CONST (1, 2); GET_ITER;");
    EXPECT_NE(ops(compile("v in {1, 2}\n")).find("LOAD_CONST frozenset({1, 2}); CONTAINS_OP 0"),
              std::string::npos);
    // A display of three or more constants extends from one constant.
    EXPECT_NE(ops(compile("[1, 2, 3]\n")).find("BUILD_LIST 0; LOAD_CONST (1, 2, 3); LIST_EXTEND 1"),
              std::string::npos);
    // Equal constants are one object in every code object of the compilation.
    vm::Code* code = compile("a = (1, 2)\ndef f(): return (1, 2)\n");
    const vm::Code* f = child(code, "f");
    ASSERT_TRUE(f);
    auto tuple_in = [](const vm::Code* c) {
        for (rt::Value v : c->consts) {
            if (rt::is_layout(v, rt::Layout::Tuple)) return v.bits();
        }
        return uint64_t{0};
    };
    EXPECT_NE(tuple_in(code), 0u);
    EXPECT_EQ(tuple_in(code), tuple_in(f));
}

}  // namespace
}  // namespace apy
