// The opcode enum and its tables, generated from opcodes.def.
#pragma once

#include <cstdint>

namespace apy::vm {

enum class Op : uint8_t {
#define OP(name, operand, pops, pushes, doc) name,
#include "vm/opcodes.def"
    COUNT_
};

// What an operand refers to, for the disassembler.
enum class OperandKind : uint8_t { None, Const, Local, Deref, Name, Jump, Count, BinOp, CmpOp };

constexpr int kVariableEffect = -1000;

struct OpInfo {
    const char* name;
    OperandKind operand;
    int pops;    // kVariableEffect when it depends on the operand
    int pushes;  // kVariableEffect when it depends on the operand
    const char* doc;
};

extern const OpInfo kOpInfo[static_cast<int>(Op::COUNT_)];

inline const OpInfo& op_info(Op op) { return kOpInfo[static_cast<int>(op)]; }

// Instruction words: opcode in the low 8 bits, operand in the high 24.
using Instr = uint32_t;
constexpr uint32_t kMaxOperand = (1u << 24) - 1;
inline Instr make_instr(Op op, uint32_t operand = 0) {
    return static_cast<uint32_t>(op) | (operand << 8);
}
inline Op instr_op(Instr word) { return static_cast<Op>(word & 0xFF); }
inline uint32_t instr_arg(Instr word) { return word >> 8; }

// The instruction the compiler emitted where finish_code put [op] (see the end of
// opcodes.def), else [op] itself.
inline Op emitted_op(Op op) {
    return op == Op::LOAD_FAST_PARAM                                 ? Op::LOAD_FAST
           : op == Op::LOAD_GLOBAL_NULL                              ? Op::LOAD_GLOBAL
           : op == Op::CALL_KW || op == Op::CALL_AWAITED             ? Op::CALL
           : op == Op::BINARY_OP_ADD || op == Op::BINARY_OP_SUBTRACT ? Op::BINARY_OP
                                                                     : op;
}

// In-place variants of BINARY_OP add this to the rt::BinaryOp value.
constexpr uint32_t kInplaceFlag = 16;

}  // namespace apy::vm
