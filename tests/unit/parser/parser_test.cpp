// Parser tests beyond the CPython comparison tables: locations, modes, the REPL helper,
// apy's own restrictions and deep nesting.
#include <gtest/gtest.h>

#include <string>

#include "parser/driver.h"

using namespace apy;

namespace {

std::unique_ptr<ast::Module> parse_text(const std::string& text,
                                        parse::Mode mode = parse::Mode::File) {
    Source src("<test>", text);
    return parse::parse(src, mode);
}

std::string dump(const std::string& text, parse::Mode mode = parse::Mode::File) {
    return ast::dump(*parse_text(text, mode));
}

std::string loc(const ast::Node* n) {
    return std::to_string(n->loc.line) + ":" + std::to_string(n->loc.col) + "-" +
           std::to_string(n->loc.end_line) + ":" + std::to_string(n->loc.end_col);
}

SyntaxErrorInfo error_of(const std::string& text, parse::Mode mode = parse::Mode::File) {
    try {
        parse_text(text, mode);
    } catch (const SyntaxErrorInfo& e) {
        return e;
    }
    return SyntaxErrorInfo("none", "no error", 0, 0);
}

bool incomplete(const std::string& text, parse::Mode mode = parse::Mode::Interactive) {
    Source src("<stdin>", text);
    return parse::is_incomplete_input(src, mode);
}

}  // namespace

TEST(Parser, Smoke) {
    EXPECT_EQ(dump("x = 1\n"),
              "Module(body=[Assign(targets=[Name(id='x', ctx=Store())], value=Constant(value=1))], "
              "type_ignores=[])");
    EXPECT_EQ(dump(""), "Module(body=[], type_ignores=[])");
    EXPECT_EQ(dump("\n\n# comment\n"), "Module(body=[], type_ignores=[])");
    EXPECT_EQ(dump("x"), "Module(body=[Expr(value=Name(id='x', ctx=Load()))], type_ignores=[])");
}

TEST(Parser, StatementLocations) {
    auto m = parse_text(
        "x = 1\nif a:\n    y = f(b, c)\n\ndef g(a):\n    return a\n@d\nclass C: pass\n"
        "async def h():\n    pass\n");
    ASSERT_EQ(m->body.size(), 5u);
    EXPECT_EQ(loc(m->body[0]), "1:0-1:5");
    EXPECT_EQ(loc(m->body[1]), "2:0-3:15");  // ends with its block, as in CPython
    auto* call = static_cast<ast::Assign*>(static_cast<ast::If*>(m->body[1])->body[0])->value;
    EXPECT_EQ(loc(call), "3:8-3:15");
    EXPECT_EQ(loc(m->body[2]), "5:0-6:12");
    EXPECT_EQ(loc(m->body[3]), "8:0-8:13");  // a decorated class starts at `class`
    EXPECT_EQ(loc(m->body[4]), "9:0-10:8");
}

TEST(Parser, ExpressionLocations) {
    auto m = parse_text("(a)\n(a, b)\nf(x for x in y)\na.b[c]\n-x ** 2\n");
    auto value = [&](size_t i) { return static_cast<ast::ExprStmt*>(m->body[i])->value; };
    EXPECT_EQ(loc(value(0)), "1:1-1:2");  // parentheses are not part of a name
    EXPECT_EQ(loc(value(1)), "2:0-2:6");  // but are part of a tuple
    auto* call = static_cast<ast::Call*>(value(2));
    EXPECT_EQ(loc(call->args[0]), "3:1-3:15");  // the lone generator takes the call's parens
    EXPECT_EQ(loc(value(3)), "4:0-4:6");
    EXPECT_EQ(loc(value(4)), "5:0-5:7");
}

TEST(Parser, FStringFieldLocations) {
    auto m = parse_text("z = 1\nw = f\"ab{x + 1}c\"\nv = f\"\"\"\n{ q }\"\"\"\n");
    auto* j = static_cast<ast::JoinedStr*>(static_cast<ast::Assign*>(m->body[1])->value);
    ASSERT_EQ(j->values.size(), 3u);
    auto* fv = static_cast<ast::FormattedValue*>(j->values[1]);
    EXPECT_EQ(loc(fv->value), "2:9-2:14");
    auto* bin = static_cast<ast::BinOp*>(fv->value);
    EXPECT_EQ(loc(bin->right), "2:13-2:14");
    auto* j2 = static_cast<ast::JoinedStr*>(static_cast<ast::Assign*>(m->body[2])->value);
    ASSERT_EQ(j2->values.size(), 2u);  // "\n" then the field
    auto* fv2 = static_cast<ast::FormattedValue*>(j2->values[1]);
    EXPECT_EQ(loc(fv2->value), "4:2-4:3");
}

TEST(Parser, NestedFStringLocations) {
    auto m = parse_text("f'{f\"{x}\"}'\n");
    auto* outer = static_cast<ast::JoinedStr*>(static_cast<ast::ExprStmt*>(m->body[0])->value);
    auto* inner = static_cast<ast::JoinedStr*>(
        static_cast<ast::FormattedValue*>(outer->values[0])->value);
    auto* x = static_cast<ast::FormattedValue*>(inner->values[0])->value;
    EXPECT_EQ(loc(x), "1:6-1:7");
}

TEST(Parser, EvalMode) {
    EXPECT_EQ(dump("a + 1", parse::Mode::Eval),
              "Module(body=[Expr(value=BinOp(left=Name(id='a', ctx=Load()), op=Add(), "
              "right=Constant(value=1)))], type_ignores=[])");
    EXPECT_EQ(dump("a, b\n\n", parse::Mode::Eval),
              "Module(body=[Expr(value=Tuple(elts=[Name(id='a', ctx=Load()), Name(id='b', "
              "ctx=Load())], ctx=Load()))], type_ignores=[])");
    EXPECT_EQ(error_of("a = 1", parse::Mode::Eval).message, "invalid syntax");
    EXPECT_EQ(error_of("pass", parse::Mode::Eval).message, "invalid syntax");
}

TEST(Parser, InteractiveMode) {
    EXPECT_EQ(dump("x = 1; y = 2\n", parse::Mode::Interactive),
              "Module(body=[Assign(targets=[Name(id='x', ctx=Store())], value=Constant(value=1)), "
              "Assign(targets=[Name(id='y', ctx=Store())], value=Constant(value=2))], "
              "type_ignores=[])");
    EXPECT_EQ(dump("if x:\n  pass\n\n", parse::Mode::Interactive),
              "Module(body=[If(test=Name(id='x', ctx=Load()), body=[Pass()], orelse=[])], "
              "type_ignores=[])");
    EXPECT_EQ(dump("\n", parse::Mode::Interactive), "Module(body=[], type_ignores=[])");
    auto e = error_of("a\nb\n", parse::Mode::Interactive);
    EXPECT_EQ(e.message, "multiple statements found while compiling a single statement");
    EXPECT_EQ(e.line, 1);
    EXPECT_EQ(e.col, 1);
    e = error_of("if x:\n  pass\nb\n", parse::Mode::Interactive);
    EXPECT_EQ(e.message, "invalid syntax");
    EXPECT_EQ(e.line, 3);
    EXPECT_EQ(e.col, 0);
}

TEST(Parser, IncompleteInput) {
    EXPECT_TRUE(incomplete("if x:\n"));
    EXPECT_TRUE(incomplete("if x:\n  pass\n"));
    EXPECT_FALSE(incomplete("if x:\n  pass\n\n"));
    EXPECT_TRUE(incomplete("if x: pass\n"));
    EXPECT_TRUE(incomplete("x = (1,\n"));
    EXPECT_TRUE(incomplete("x = [\n"));
    EXPECT_TRUE(incomplete("s = \"\"\"abc\n"));
    EXPECT_TRUE(incomplete("x = 1 + \\\n"));
    EXPECT_TRUE(incomplete("@dec\n"));
    EXPECT_TRUE(incomplete("def f():\n  return 1\n"));
    EXPECT_TRUE(incomplete("try:\n  pass\n"));
    EXPECT_TRUE(incomplete("if x:\n  pass\nelse:\n"));
    EXPECT_TRUE(incomplete("class C:\n"));
    EXPECT_FALSE(incomplete("x = 1\n"));
    EXPECT_FALSE(incomplete("a b\n"));
    EXPECT_FALSE(incomplete("x = )\n"));
    EXPECT_FALSE(incomplete("\n"));
    EXPECT_FALSE(incomplete("x = 1\n", parse::Mode::File));
    EXPECT_TRUE(incomplete("def f():\n", parse::Mode::File));
    EXPECT_FALSE(incomplete("if x:\n  pass\n", parse::Mode::File));
}

TEST(Parser, ApyRestrictions) {
    auto e = error_of("x = 1j\n");
    EXPECT_EQ(e.message, "complex numbers are not supported by apy");
    EXPECT_EQ(e.line, 1);
    EXPECT_EQ(e.col, 4);
    EXPECT_EQ(e.end_col, 6);
    e = error_of("x = 'a' b'c'\n");
    EXPECT_EQ(e.message, "bytes literals are not supported by apy");
    EXPECT_EQ(e.col, 8);
    // `match` is an ordinary name; the statement form is not supported.
    e = error_of("match x:\n    case 1:\n        pass\n");
    EXPECT_EQ(e.message, "the match statement is not supported by apy");
    EXPECT_EQ(e.col, 0);
    EXPECT_EQ(error_of("match (x):\n    case 1:\n        pass\n").message,
              "the match statement is not supported by apy");
    EXPECT_EQ(dump("match = 1\n"),
              "Module(body=[Assign(targets=[Name(id='match', ctx=Store())], "
              "value=Constant(value=1))], type_ignores=[])");
}

TEST(Parser, ContextsAreSet) {
    EXPECT_EQ(dump("del a[0], b.c\n"),
              "Module(body=[Delete(targets=[Subscript(value=Name(id='a', ctx=Load()), "
              "slice=Constant(value=0), ctx=Del()), Attribute(value=Name(id='b', ctx=Load()), "
              "attr='c', ctx=Del())])], type_ignores=[])");
    EXPECT_EQ(dump("[*a, (b, c)] = d\n"),
              "Module(body=[Assign(targets=[List(elts=[Starred(value=Name(id='a', ctx=Store()), "
              "ctx=Store()), Tuple(elts=[Name(id='b', ctx=Store()), Name(id='c', ctx=Store())], "
              "ctx=Store())], ctx=Store())], value=Name(id='d', ctx=Load()))], type_ignores=[])");
}

TEST(Parser, FStringErrors) {
    EXPECT_EQ(error_of("f'{a!}'\n").message,
              "f-string: invalid conversion character: expected 's', 'r', or 'a'");
    EXPECT_EQ(error_of("f'{a:{b:{c}}}'\n").message, "f-string: expressions nested too deeply");
    EXPECT_EQ(error_of("f'{x y}'\n").message,
              "f-string: invalid syntax. Perhaps you forgot a comma?");
    EXPECT_EQ(error_of("f'{a b}'\n").type, "SyntaxError");
    EXPECT_EQ(error_of("x = 1\ny = f'{a +}'\n").line, 2);
}

// Deep nesting must neither crash nor overflow the stack: CPython itself gives up a little
// above 1000 levels, apy refuses with a SyntaxError.
TEST(Parser, DeepNesting) {
    for (const char* prefix : {"-", "not ", "~", "+", "lambda:", "await "}) {
        std::string text;
        for (int i = 0; i < 10000; ++i) text += prefix;
        text += "x\n";
        auto e = error_of(text);
        EXPECT_EQ(e.type, "SyntaxError") << prefix;
    }
    std::string sum = "1";
    for (int i = 0; i < 10000; ++i) sum += "+1";
    EXPECT_EQ(error_of(sum + "\n").message, "too many nested expressions");
    std::string attrs = "a";
    for (int i = 0; i < 10000; ++i) attrs += ".a";
    EXPECT_EQ(error_of(attrs + "\n").message, "too many nested expressions");
    std::string calls = "a";
    for (int i = 0; i < 10000; ++i) calls += "()";
    EXPECT_EQ(error_of(calls + "\n").message, "too many nested expressions");
    std::string cond = "1";
    for (int i = 0; i < 10000; ++i) cond += " if x else 1";
    EXPECT_EQ(error_of(cond + "\n").message, "too many nested expressions");
    std::string power = "x";
    for (int i = 0; i < 10000; ++i) power += "**x";
    EXPECT_EQ(error_of(power + "\n").message, "too many nested expressions");

    // What CPython accepts is accepted.
    std::string ok = "x";
    for (int i = 0; i < 900; ++i) ok = "-" + ok;
    EXPECT_NO_THROW(parse_text(ok + "\n"));
    std::string ok_sum = "1";
    for (int i = 0; i < 900; ++i) ok_sum += "+1";
    EXPECT_NO_THROW(dump(ok_sum + "\n"));
    std::string parens;
    for (int i = 0; i < 150; ++i) parens += "(";
    parens += "1";
    for (int i = 0; i < 150; ++i) parens += ")";
    EXPECT_NO_THROW(dump(parens + "\n"));

    // Many statements and long elif chains are fine up to the limit.
    std::string many;
    for (int i = 0; i < 10000; ++i) many += "x = " + std::to_string(i) + "\n";
    EXPECT_EQ(parse_text(many)->body.size(), 10000u);
    std::string elifs = "if x:\n  pass\n";
    for (int i = 0; i < 10000; ++i) elifs += "elif x:\n  pass\n";
    EXPECT_EQ(error_of(elifs).type, "SyntaxError");
}

TEST(Parser, NeverHangsOnGarbage) {
    const char* inputs[] = {"(((", ")))", "def", "class", "lambda", "f(", "x[", "{", "@", "*",
                            "**", "if", "else:", "for in", "with (", "with (a", "import .",
                            "from", "a.", "a = = b", "::", ",", ";", "\\", "yield from",
                            "async", "await", "try", "except", "f'{", "f'{a!r", "f'{a:{'"};
    for (const char* s : inputs) {
        Source src("<test>", s);
        EXPECT_THROW(parse::parse(src, parse::Mode::File), SyntaxErrorInfo) << s;
    }
}
