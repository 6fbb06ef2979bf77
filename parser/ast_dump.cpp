// ast::dump: the format of CPython's ast.dump(tree) (no attributes, fields annotated, None
// fields omitted), so that tests can compare with python3.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "parser/ast.h"

namespace apy::ast {

namespace {

// Python's repr() of an int literal's value: decimal, whatever the base of the literal.
std::string int_repr(const std::string& text) {
    int base = 10;
    size_t i = 0;
    if (text.size() > 1 && text[0] == '0') {
        char p = static_cast<char>(text[1] | 0x20);
        if (p == 'x') base = 16;
        if (p == 'o') base = 8;
        if (p == 'b') base = 2;
        if (base != 10) i = 2;
    }
    std::string digits = "0";  // decimal digits, most significant first
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c == '_') continue;
        int v = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        int carry = v;
        for (size_t k = digits.size(); k-- > 0;) {
            int d = (digits[k] - '0') * base + carry;
            digits[k] = static_cast<char>('0' + d % 10);
            carry = d / 10;
        }
        while (carry) {
            digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
            carry /= 10;
        }
    }
    size_t nz = digits.find_first_not_of('0');
    return nz == std::string::npos ? "0" : digits.substr(nz);
}

// Python's repr() of a float: the shortest round-trip digits, in exponent form when the
// exponent is below -4 or at least 16.
std::string float_repr(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string s(buf, res.ptr);
    bool neg = s[0] == '-';
    if (neg) s.erase(0, 1);
    size_t e = s.find('e');
    int exp = std::stoi(s.substr(e + 1));
    std::string digits;
    for (size_t i = 0; i < e; ++i)
        if (s[i] != '.') digits += s[i];
    std::string out;
    if (exp < -4 || exp >= 16) {
        out = digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        char eb[16];
        std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        out += eb;
    } else if (exp < 0) {
        out = "0." + std::string(-exp - 1, '0') + digits;
    } else {
        if (static_cast<int>(digits.size()) <= exp + 1) {
            out = digits + std::string(exp + 1 - digits.size(), '0') + ".0";
        } else {
            out = digits.substr(0, exp + 1) + "." + digits.substr(exp + 1);
        }
    }
    return neg ? "-" + out : out;
}

// Decodes one UTF-8 sequence at [i] (advancing it); invalid bytes come back as themselves.
uint32_t next_code_point(const std::string& s, size_t& i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + len > s.size()) len = 1;
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    i += len;
    return cp;
}

// An approximation of str.isprintable() for the characters a test is likely to meet.
bool printable(uint32_t cp) {
    if (cp < 0x20 || cp == 0x7f) return false;
    if (cp >= 0x80 && cp <= 0xa0) return false;
    if (cp == 0xad) return false;
    if (cp >= 0x2000 && cp <= 0x200f) return false;
    if (cp >= 0x2028 && cp <= 0x202f) return false;
    if (cp >= 0x205f && cp <= 0x206f) return false;
    if (cp == 0x3000 || cp == 0xfeff) return false;
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
    if (cp >= 0xe000 && cp <= 0xf8ff) return false;
    if (cp >= 0xfff9 && cp <= 0xfffb) return false;
    return true;
}

std::string str_repr(const std::string& s) {
    bool has_single = s.find('\'') != std::string::npos;
    bool has_double = s.find('"') != std::string::npos;
    char q = has_single && !has_double ? '"' : '\'';
    std::string out(1, q);
    for (size_t i = 0; i < s.size();) {
        size_t start = i;
        uint32_t cp = next_code_point(s, i);
        char buf[16];
        if (cp == static_cast<uint32_t>(q) || cp == '\\') {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (cp == '\t') {
            out += "\\t";
        } else if (printable(cp)) {
            out.append(s, start, i - start);
        } else {
            if (cp < 0x100)
                std::snprintf(buf, sizeof buf, "\\x%02x", cp);
            else if (cp < 0x10000)
                std::snprintf(buf, sizeof buf, "\\u%04x", cp);
            else
                std::snprintf(buf, sizeof buf, "\\U%08x", cp);
            out += buf;
        }
    }
    out += q;
    return out;
}

const char* binop_name(BinOpKind k) {
    switch (k) {
    case BinOpKind::Add: return "Add()";
    case BinOpKind::Sub: return "Sub()";
    case BinOpKind::Mult: return "Mult()";
    case BinOpKind::MatMult: return "MatMult()";
    case BinOpKind::Div: return "Div()";
    case BinOpKind::Mod: return "Mod()";
    case BinOpKind::Pow: return "Pow()";
    case BinOpKind::LShift: return "LShift()";
    case BinOpKind::RShift: return "RShift()";
    case BinOpKind::BitOr: return "BitOr()";
    case BinOpKind::BitXor: return "BitXor()";
    case BinOpKind::BitAnd: return "BitAnd()";
    case BinOpKind::FloorDiv: return "FloorDiv()";
    }
    return "?";
}

const char* unary_name(UnaryOpKind k) {
    switch (k) {
    case UnaryOpKind::Invert: return "Invert()";
    case UnaryOpKind::Not: return "Not()";
    case UnaryOpKind::UAdd: return "UAdd()";
    case UnaryOpKind::USub: return "USub()";
    }
    return "?";
}

const char* cmp_name(CmpOpKind k) {
    switch (k) {
    case CmpOpKind::Eq: return "Eq()";
    case CmpOpKind::NotEq: return "NotEq()";
    case CmpOpKind::Lt: return "Lt()";
    case CmpOpKind::LtE: return "LtE()";
    case CmpOpKind::Gt: return "Gt()";
    case CmpOpKind::GtE: return "GtE()";
    case CmpOpKind::Is: return "Is()";
    case CmpOpKind::IsNot: return "IsNot()";
    case CmpOpKind::In: return "In()";
    case CmpOpKind::NotIn: return "NotIn()";
    }
    return "?";
}

const char* ctx_name(Ctx c) {
    switch (c) {
    case Ctx::Load: return "Load()";
    case Ctx::Store: return "Store()";
    case Ctx::Del: return "Del()";
    }
    return "?";
}

// Writes "Name(field=value, ...)"; fields are added one by one.
class Dumper {
public:
    std::string out;

    void expr(const Expr* e);
    void stmt(const Stmt* s);

    void exprs(const ExprList& l) {
        out += '[';
        for (size_t i = 0; i < l.size(); ++i) {
            if (i) out += ", ";
            if (l[i])
                expr(l[i]);
            else
                out += "None";
        }
        out += ']';
    }
    void stmts(const StmtList& l) {
        out += '[';
        for (size_t i = 0; i < l.size(); ++i) {
            if (i) out += ", ";
            stmt(l[i]);
        }
        out += ']';
    }
    void strings(const std::vector<std::string>& l) {
        out += '[';
        for (size_t i = 0; i < l.size(); ++i) {
            if (i) out += ", ";
            out += str_repr(l[i]);
        }
        out += ']';
    }

    // Field helpers: each writes ", name=" except for the first field of a node.
    void open(const char* name) {
        out += name;
        out += '(';
        first_ = true;
    }
    void close() {
        out += ')';
        first_ = false;
    }
    void key(const char* name) {
        if (!first_) out += ", ";
        first_ = false;
        out += name;
        out += '=';
    }
    void field(const char* name, const Expr* e) {
        if (!e) return;  // None fields are omitted
        key(name);
        expr(e);
    }
    void field(const char* name, const ExprList& l) {
        key(name);
        exprs(l);
    }
    void field(const char* name, const StmtList& l) {
        key(name);
        stmts(l);
    }
    void raw(const char* name, const std::string& text) {
        key(name);
        out += text;
    }

    void arguments(const Arguments* a);
    void arg(const Arg* a) {
        open("arg");
        raw("arg", str_repr(a->name));
        field("annotation", a->annotation);
        close();
    }
    void args(const std::vector<Arg*>& l) {
        out += '[';
        for (size_t i = 0; i < l.size(); ++i) {
            if (i) out += ", ";
            arg(l[i]);
        }
        out += ']';
    }
    void keywords(const std::vector<Keyword*>& l) {
        out += '[';
        for (size_t i = 0; i < l.size(); ++i) {
            if (i) out += ", ";
            open("keyword");
            if (!l[i]->arg.empty()) raw("arg", str_repr(l[i]->arg));
            key("value");
            expr(l[i]->value);
            close();
        }
        out += ']';
    }
    void generators(const ComprehensionList& l) {
        out += '[';
        for (size_t i = 0; i < l.size(); ++i) {
            if (i) out += ", ";
            open("comprehension");
            field("target", l[i]->target);
            field("iter", l[i]->iter);
            field("ifs", l[i]->ifs);
            raw("is_async", l[i]->is_async ? "1" : "0");
            close();
        }
        out += ']';
    }
    void aliases(const std::vector<Alias*>& l) {
        out += '[';
        for (size_t i = 0; i < l.size(); ++i) {
            if (i) out += ", ";
            open("alias");
            raw("name", str_repr(l[i]->name));
            if (!l[i]->asname.empty()) raw("asname", str_repr(l[i]->asname));
            close();
        }
        out += ']';
    }

private:
    bool first_ = true;
};

void Dumper::arguments(const Arguments* a) {
    open("arguments");
    key("posonlyargs");
    args(a->posonlyargs);
    key("args");
    args(a->args);
    if (a->vararg) {
        key("vararg");
        arg(a->vararg);
    }
    key("kwonlyargs");
    args(a->kwonlyargs);
    field("kw_defaults", a->kw_defaults);
    if (a->kwarg) {
        key("kwarg");
        arg(a->kwarg);
    }
    field("defaults", a->defaults);
    close();
}

void Dumper::expr(const Expr* e) {
    switch (e->kind) {
    case ExprKind::BoolOp: {
        auto* n = static_cast<const BoolOp*>(e);
        open("BoolOp");
        raw("op", n->op == BoolOpKind::And ? "And()" : "Or()");
        field("values", n->values);
        break;
    }
    case ExprKind::NamedExpr: {
        auto* n = static_cast<const NamedExpr*>(e);
        open("NamedExpr");
        field("target", n->target);
        field("value", n->value);
        break;
    }
    case ExprKind::BinOp: {
        auto* n = static_cast<const BinOp*>(e);
        open("BinOp");
        field("left", n->left);
        raw("op", binop_name(n->op));
        field("right", n->right);
        break;
    }
    case ExprKind::UnaryOp: {
        auto* n = static_cast<const UnaryOp*>(e);
        open("UnaryOp");
        raw("op", unary_name(n->op));
        field("operand", n->operand);
        break;
    }
    case ExprKind::Lambda: {
        auto* n = static_cast<const Lambda*>(e);
        open("Lambda");
        key("args");
        arguments(n->args);
        field("body", n->body);
        break;
    }
    case ExprKind::IfExp: {
        auto* n = static_cast<const IfExp*>(e);
        open("IfExp");
        field("test", n->test);
        field("body", n->body);
        field("orelse", n->orelse);
        break;
    }
    case ExprKind::Dict: {
        auto* n = static_cast<const Dict*>(e);
        open("Dict");
        field("keys", n->keys);
        field("values", n->values);
        break;
    }
    case ExprKind::Set: {
        open("Set");
        field("elts", static_cast<const Set*>(e)->elts);
        break;
    }
    case ExprKind::ListComp: {
        auto* n = static_cast<const ListComp*>(e);
        open("ListComp");
        field("elt", n->elt);
        key("generators");
        generators(n->generators);
        break;
    }
    case ExprKind::SetComp: {
        auto* n = static_cast<const SetComp*>(e);
        open("SetComp");
        field("elt", n->elt);
        key("generators");
        generators(n->generators);
        break;
    }
    case ExprKind::DictComp: {
        auto* n = static_cast<const DictComp*>(e);
        open("DictComp");
        field("key", n->key);
        field("value", n->value);
        key("generators");
        generators(n->generators);
        break;
    }
    case ExprKind::GeneratorExp: {
        auto* n = static_cast<const GeneratorExp*>(e);
        open("GeneratorExp");
        field("elt", n->elt);
        key("generators");
        generators(n->generators);
        break;
    }
    case ExprKind::Await:
        open("Await");
        field("value", static_cast<const Await*>(e)->value);
        break;
    case ExprKind::Yield:
        open("Yield");
        field("value", static_cast<const Yield*>(e)->value);
        break;
    case ExprKind::YieldFrom:
        open("YieldFrom");
        field("value", static_cast<const YieldFrom*>(e)->value);
        break;
    case ExprKind::Compare: {
        auto* n = static_cast<const Compare*>(e);
        open("Compare");
        field("left", n->left);
        std::string ops = "[";
        for (size_t i = 0; i < n->ops.size(); ++i) {
            if (i) ops += ", ";
            ops += cmp_name(n->ops[i]);
        }
        raw("ops", ops + "]");
        field("comparators", n->comparators);
        break;
    }
    case ExprKind::Call: {
        auto* n = static_cast<const Call*>(e);
        open("Call");
        field("func", n->func);
        field("args", n->args);
        key("keywords");
        keywords(n->keywords);
        break;
    }
    case ExprKind::FormattedValue: {
        auto* n = static_cast<const FormattedValue*>(e);
        open("FormattedValue");
        field("value", n->value);
        raw("conversion", std::to_string(n->conversion));
        field("format_spec", n->format_spec);
        break;
    }
    case ExprKind::JoinedStr:
        open("JoinedStr");
        field("values", static_cast<const JoinedStr*>(e)->values);
        break;
    case ExprKind::Constant: {
        auto* n = static_cast<const Constant*>(e);
        open("Constant");
        switch (n->value_kind) {
        case ConstKind::None: raw("value", "None"); break;
        case ConstKind::True: raw("value", "True"); break;
        case ConstKind::False: raw("value", "False"); break;
        case ConstKind::Ellipsis: raw("value", "Ellipsis"); break;
        case ConstKind::Int: raw("value", int_repr(n->text)); break;
        case ConstKind::Float: raw("value", float_repr(n->number)); break;
        case ConstKind::Str: raw("value", str_repr(n->text)); break;
        }
        break;
    }
    case ExprKind::Attribute: {
        auto* n = static_cast<const Attribute*>(e);
        open("Attribute");
        field("value", n->value);
        raw("attr", str_repr(n->attr));
        raw("ctx", ctx_name(n->ctx));
        break;
    }
    case ExprKind::Subscript: {
        auto* n = static_cast<const Subscript*>(e);
        open("Subscript");
        field("value", n->value);
        field("slice", n->slice);
        raw("ctx", ctx_name(n->ctx));
        break;
    }
    case ExprKind::Starred: {
        auto* n = static_cast<const Starred*>(e);
        open("Starred");
        field("value", n->value);
        raw("ctx", ctx_name(n->ctx));
        break;
    }
    case ExprKind::Name: {
        auto* n = static_cast<const Name*>(e);
        open("Name");
        raw("id", str_repr(n->id));
        raw("ctx", ctx_name(n->ctx));
        break;
    }
    case ExprKind::List: {
        auto* n = static_cast<const List*>(e);
        open("List");
        field("elts", n->elts);
        raw("ctx", ctx_name(n->ctx));
        break;
    }
    case ExprKind::Tuple: {
        auto* n = static_cast<const Tuple*>(e);
        open("Tuple");
        field("elts", n->elts);
        raw("ctx", ctx_name(n->ctx));
        break;
    }
    case ExprKind::Slice: {
        auto* n = static_cast<const Slice*>(e);
        open("Slice");
        field("lower", n->lower);
        field("upper", n->upper);
        field("step", n->step);
        break;
    }
    }
    close();
}

void Dumper::stmt(const Stmt* s) {
    switch (s->kind) {
    case StmtKind::FunctionDef: {
        auto* n = static_cast<const FunctionDef*>(s);
        open(n->is_async ? "AsyncFunctionDef" : "FunctionDef");
        raw("name", str_repr(n->name));
        key("args");
        arguments(n->args);
        field("body", n->body);
        field("decorator_list", n->decorator_list);
        field("returns", n->returns);
        break;
    }
    case StmtKind::ClassDef: {
        auto* n = static_cast<const ClassDef*>(s);
        open("ClassDef");
        raw("name", str_repr(n->name));
        field("bases", n->bases);
        key("keywords");
        keywords(n->keywords);
        field("body", n->body);
        field("decorator_list", n->decorator_list);
        break;
    }
    case StmtKind::Return:
        open("Return");
        field("value", static_cast<const Return*>(s)->value);
        break;
    case StmtKind::Delete:
        open("Delete");
        field("targets", static_cast<const Delete*>(s)->targets);
        break;
    case StmtKind::Assign: {
        auto* n = static_cast<const Assign*>(s);
        open("Assign");
        field("targets", n->targets);
        field("value", n->value);
        break;
    }
    case StmtKind::AugAssign: {
        auto* n = static_cast<const AugAssign*>(s);
        open("AugAssign");
        field("target", n->target);
        raw("op", binop_name(n->op));
        field("value", n->value);
        break;
    }
    case StmtKind::AnnAssign: {
        auto* n = static_cast<const AnnAssign*>(s);
        open("AnnAssign");
        field("target", n->target);
        field("annotation", n->annotation);
        field("value", n->value);
        raw("simple", n->simple ? "1" : "0");
        break;
    }
    case StmtKind::For: {
        auto* n = static_cast<const For*>(s);
        open(n->is_async ? "AsyncFor" : "For");
        field("target", n->target);
        field("iter", n->iter);
        field("body", n->body);
        field("orelse", n->orelse);
        break;
    }
    case StmtKind::While: {
        auto* n = static_cast<const While*>(s);
        open("While");
        field("test", n->test);
        field("body", n->body);
        field("orelse", n->orelse);
        break;
    }
    case StmtKind::If: {
        auto* n = static_cast<const If*>(s);
        open("If");
        field("test", n->test);
        field("body", n->body);
        field("orelse", n->orelse);
        break;
    }
    case StmtKind::With: {
        auto* n = static_cast<const With*>(s);
        open(n->is_async ? "AsyncWith" : "With");
        key("items");
        out += '[';
        for (size_t i = 0; i < n->items.size(); ++i) {
            if (i) out += ", ";
            open("withitem");
            field("context_expr", n->items[i]->context_expr);
            field("optional_vars", n->items[i]->optional_vars);
            close();
        }
        out += ']';
        field("body", n->body);
        break;
    }
    case StmtKind::Raise: {
        auto* n = static_cast<const Raise*>(s);
        open("Raise");
        field("exc", n->exc);
        field("cause", n->cause);
        break;
    }
    case StmtKind::Try: {
        auto* n = static_cast<const Try*>(s);
        open(n->is_star ? "TryStar" : "Try");
        field("body", n->body);
        key("handlers");
        out += '[';
        for (size_t i = 0; i < n->handlers.size(); ++i) {
            if (i) out += ", ";
            auto* h = n->handlers[i];
            open("ExceptHandler");
            field("type", h->type);
            if (!h->name.empty()) raw("name", str_repr(h->name));
            field("body", h->body);
            close();
        }
        out += ']';
        field("orelse", n->orelse);
        field("finalbody", n->finalbody);
        break;
    }
    case StmtKind::Assert: {
        auto* n = static_cast<const Assert*>(s);
        open("Assert");
        field("test", n->test);
        field("msg", n->msg);
        break;
    }
    case StmtKind::Import:
        open("Import");
        key("names");
        aliases(static_cast<const Import*>(s)->names);
        break;
    case StmtKind::ImportFrom: {
        auto* n = static_cast<const ImportFrom*>(s);
        open("ImportFrom");
        if (!n->module.empty()) raw("module", str_repr(n->module));
        key("names");
        aliases(n->names);
        raw("level", std::to_string(n->level));
        break;
    }
    case StmtKind::Global:
        open("Global");
        key("names");
        strings(static_cast<const Global*>(s)->names);
        break;
    case StmtKind::Nonlocal:
        open("Nonlocal");
        key("names");
        strings(static_cast<const Nonlocal*>(s)->names);
        break;
    case StmtKind::ExprStmt:
        open("Expr");
        field("value", static_cast<const ExprStmt*>(s)->value);
        break;
    case StmtKind::Pass: open("Pass"); break;
    case StmtKind::Break: open("Break"); break;
    case StmtKind::Continue: open("Continue"); break;
    }
    close();
}

}  // namespace

std::string dump(const Module& module) {
    Dumper d;
    d.out = "Module(body=";
    d.stmts(module.body);
    d.out += ", type_ignores=[])";
    return d.out;
}

}  // namespace apy::ast
