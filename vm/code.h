// Code objects: what the compiler makes of a module, function, class body or
// comprehension, and what the VM executes.
#pragma once

#include <string>
#include <vector>

#include "runtime/objects.h"
#include "vm/opcodes.h"

namespace apy::vm {

struct Frame;

enum CodeFlags : uint32_t {
    kVarArgs = 1 << 0,         // has *args
    kVarKeywords = 1 << 1,     // has **kwargs
    kGenerator = 1 << 2,       // contains yield
    kCoroutine = 1 << 3,       // async def
    kAsyncGenerator = 1 << 4,  // async def with yield
    kModuleLevel = 1 << 5,     // module or class body: names resolve with LOAD_NAME
    kClassBody = 1 << 6,
};

// Where an instruction's expression ends and starts in its line (byte columns, -1 when
// unknown): the traceback underlines it, as CPython 3.11 does.
struct Position {
    int32_t end_line;
    int32_t col;
    int32_t end_col;
};

// What one LOAD_GLOBAL, LOAD_ATTR, STORE_ATTR or LOAD_METHOD found last time (CPython's
// inline caches). An entry holds while the versions it recorded are current (see
// rt::next_version): no version is ever 0, so a fresh entry never holds.
struct InlineCache {
    enum Kind : uint8_t {
        kNone,
        kInstance,     // version: the type of an instance; value: what the type has for the name
        kInstanceDict, // LOAD_ATTR's kInstance when the type has nothing for the name
        kMethod,       // version: the type; value: the plain function to call with self
        kModule,       // version: the module's dict; value: the attribute
    };
    uint64_t version = 0;   // LOAD_GLOBAL: of the globals; others: see Kind
    uint64_t version2 = 0;  // LOAD_GLOBAL: of the builtins
    rt::Value value;        // LOAD_GLOBAL: the value
    rt::Str* name = nullptr; // the name the instruction looks up
    uint32_t hint = 0;      // where the name was last found in an instance dict
    Kind kind = kNone;
};

// The instructions with an inline cache. finish_code replaces their operand (the index of
// their name in Code::names, as the compiler emitted it) by the index of their entry in
// Code::caches, which keeps the name: the dispatch loop reaches the entry in one step.
inline bool has_inline_cache(Op op) {
    return op == Op::LOAD_GLOBAL || op == Op::LOAD_GLOBAL_NULL || op == Op::LOAD_ATTR ||
           op == Op::STORE_ATTR || op == Op::LOAD_METHOD;
}

struct Code : rt::Object {
    std::vector<Instr> instructions;
    std::vector<int32_t> lines;        // source line of each instruction (same length)
    std::vector<Position> positions;   // the rest of its location (same length)
    std::vector<rt::Value> consts;
    std::vector<rt::Str*> names;     // attribute, global and imported names
    std::vector<rt::Str*> varnames;  // locals; the parameters first, in order
    std::vector<rt::Str*> cellvars;  // locals captured by inner functions
    std::vector<rt::Str*> freevars;  // variables of enclosing functions this one uses
    // For each cellvar that is also a parameter, the parameter's index, else -1.
    std::vector<int32_t> cell2arg;

    int argcount = 0;         // positional parameters, positional-only included
    int posonlyargcount = 0;
    int kwonlyargcount = 0;
    uint32_t flags = 0;
    int stacksize = 0;        // the deepest the value stack gets
    int maxblocks = 0;        // the deepest the block stack gets
    int firstlineno = 1;
    bool has_docstring = false;  // consts[0] is the docstring
    // Positional parameters only, no cells: a call with exactly argcount positional
    // arguments just copies them (see new_simple_frame); of a generator or coroutine
    // function, into the frame the new generator gets.
    bool simple_call = false;
    // argcount when simple_call and not a generator, coroutine or async generator function
    // (a call with argcount positional arguments just runs the frame), else -1.
    int plain_call_argcount = -1;
    // argcount when simple_call of a coroutine function whose frame an awaiting frame may
    // run as a call (see CALL_AWAITED), else -1.
    int awaited_call_argcount = -1;
    Frame* free_frames = nullptr;  // frames of this code ready for reuse (see frame.h)
    // The inline caches, one per instruction that has one (see has_inline_cache).
    std::vector<InlineCache> caches;

    rt::Str* name = nullptr;      // "f", "<module>", "<lambda>", "<listcomp>"
    rt::Str* qualname = nullptr;  // "C.f", "f.<locals>.g"
    rt::Str* filename = nullptr;  // as shown in tracebacks

    // Set by finish_code: nlocals() + nderefs(), and frame_slots().
    int stack_start = 0;
    int nslots = 0;

    int nlocals() const { return static_cast<int>(varnames.size()); }
    int nderefs() const { return static_cast<int>(cellvars.size() + freevars.size()); }
    // Slots a frame needs: locals, cells, frees and the value stack.
    int frame_slots() const { return nslots; }
};

Code* make_code();
// Whether a call of [code] with [nargs] positional arguments and [kwnames] may use
// new_simple_frame.
inline bool is_simple_call(const Code* code, int nargs, const rt::Tuple* kwnames) {
    return code->simple_call && !kwnames && nargs == code->argcount;
}

// Whether the instructions of [code] from [index] on await what the instruction before
// makes: GET_AWAITABLE, LOAD_CONST None, SEND, as the compiler emits `await f(...)`.
inline bool awaits_at(const Code* code, size_t index) {
    const std::vector<Instr>& in = code->instructions;
    return index + 2 < in.size() && instr_op(in[index]) == Op::GET_AWAITABLE &&
           instr_op(in[index + 1]) == Op::LOAD_CONST &&
           code->consts[instr_arg(in[index + 1])].is_none() && instr_op(in[index + 2]) == Op::SEND;
}
// Whether [code] is a coroutine function's whose frame an awaiter may run as a call (see
// CALL_AWAITED): the instruction after its first is the POP_TOP of the None sent in.
inline bool runs_as_awaited_call(const Code* code) {
    return (code->flags & kCoroutine) && code->instructions.size() > 1 &&
           instr_op(code->instructions[1]) == Op::POP_TOP;
}

// Once the compiler has filled [code]: the inline caches, simple_call and the call
// argcounts, and the instructions finish_code rewrites (see the end of opcodes.def).
void finish_code(Code* code);
// The operand the compiler emitted for the instruction at [index] (a name's index for one
// with an inline cache), as the disassembler shows it.
uint32_t emitted_operand(const Code* code, int index);

// The source line of the instruction at [index] (firstlineno when out of range).
int line_of(const Code* code, int index);
// The rest of the location of the instruction at [index] (unknown columns when out of range).
Position position_of(const Code* code, int index);

}  // namespace apy::vm
