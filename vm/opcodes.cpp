#include "vm/opcodes.h"

namespace apy::vm {

namespace {
constexpr int VAR = kVariableEffect;
}

const OpInfo kOpInfo[static_cast<int>(Op::COUNT_)] = {
#define OP(name, operand, pops, pushes, doc) {#name, OperandKind::operand, pops, pushes, doc},
#include "vm/opcodes.def"
};

}  // namespace apy::vm
