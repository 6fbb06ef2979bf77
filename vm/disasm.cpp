#include "vm/disasm.h"

#include <cstdio>
#include <set>

#include "runtime/errors.h"
#include "runtime/ops.h"

namespace apy::vm {

namespace {

const char* const kBinarySymbols[] = {
#define APY_BINOP_SYMBOL(name, sym, dunder, rdunder, idunder) sym,
    APY_BINARY_OPS(APY_BINOP_SYMBOL)
#undef APY_BINOP_SYMBOL
};
const char* const kCompareSymbols[] = {"<", "<=", "==", "!=", ">", ">="};

std::string str_of(const rt::Str* s) { return s ? std::string(s->view()) : std::string("?"); }

bool is_code(rt::Value v) { return rt::is_layout(v, rt::Layout::Code); }

std::string code_label(const Code* code) {
    return "<code object " + str_of(code->name) + " at line " +
           std::to_string(code->firstlineno) + ">";
}

std::string const_repr(rt::Value v) {
    if (is_code(v)) return code_label(static_cast<const Code*>(v.as_object()));
    bool ok = true;
    std::string text = rt::repr_string(v, &ok);
    if (!ok) {
        rt::clear_pending();
        return "?";
    }
    return text;
}

// What an operand refers to, or "" when there is nothing to say.
std::string describe(const Code* code, Op op, uint32_t arg) {
    switch (op_info(op).operand) {
    case OperandKind::None:
    case OperandKind::Count: return "";
    case OperandKind::Const:
        return arg < code->consts.size() ? const_repr(code->consts[arg]) : "?";
    case OperandKind::Local:
        return arg < code->varnames.size() ? str_of(code->varnames[arg]) : "?";
    case OperandKind::Deref: {
        size_t ncells = code->cellvars.size();
        if (arg < ncells) return str_of(code->cellvars[arg]);
        if (arg - ncells < code->freevars.size()) return str_of(code->freevars[arg - ncells]);
        return "?";
    }
    case OperandKind::Name: return arg < code->names.size() ? str_of(code->names[arg]) : "?";
    case OperandKind::Jump: return "to " + std::to_string(arg);
    case OperandKind::BinOp: {
        uint32_t base = arg & (kInplaceFlag - 1);
        if (base >= sizeof kBinarySymbols / sizeof kBinarySymbols[0]) return "?";
        return std::string(kBinarySymbols[base]) + ((arg & kInplaceFlag) ? "=" : "");
    }
    case OperandKind::CmpOp: return arg < 6 ? kCompareSymbols[arg] : "?";
    }
    return "";
}

void disassemble_one(const Code* code, std::string& out) {
    std::set<uint32_t> targets;
    for (Instr word : code->instructions) {
        if (op_info(instr_op(word)).operand == OperandKind::Jump) targets.insert(instr_arg(word));
    }
    int last_line = -1;
    char buf[64];
    for (size_t i = 0; i < code->instructions.size(); ++i) {
        int line = line_of(code, static_cast<int>(i));
        if (line != last_line) {
            if (last_line != -1) out += "\n";
            std::snprintf(buf, sizeof buf, "%4d", line);
            out += buf;
            last_line = line;
        } else {
            out += "    ";
        }
        out += targets.count(static_cast<uint32_t>(i)) ? "  >> " : "     ";
        std::snprintf(buf, sizeof buf, "%5zu ", i);
        out += buf;
        out += disassemble_instr(code, static_cast<int>(i));
        out += "\n";
    }
}

void disassemble_tree(const Code* code, std::string& out, bool header) {
    if (header) out += "\nDisassembly of " + code_label(code) + ":\n";
    disassemble_one(code, out);
    for (rt::Value v : code->consts) {
        if (is_code(v)) disassemble_tree(static_cast<const Code*>(v.as_object()), out, true);
    }
}

}  // namespace

std::string disassemble_instr(const Code* code, int index) {
    Instr word = code->instructions[index];
    Op op = emitted_op(instr_op(word));
    uint32_t arg = emitted_operand(code, index);
    const OpInfo& info = op_info(op);
    std::string text = info.name;
    if (info.operand == OperandKind::None) return text;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%-*s%5u", text.size() < 24 ? 24 - int(text.size()) : 1, "",
                  arg);
    text += buf;
    std::string what = describe(code, op, arg);
    if (!what.empty()) text += " (" + what + ")";
    return text;
}

std::string disassemble(const Code* code) {
    std::string out;
    disassemble_tree(code, out, false);
    return out;
}

}  // namespace apy::vm
