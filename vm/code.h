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
    Frame* free_frames = nullptr;  // frames of this code ready for reuse (see frame.h)

    rt::Str* name = nullptr;      // "f", "<module>", "<lambda>", "<listcomp>"
    rt::Str* qualname = nullptr;  // "C.f", "f.<locals>.g"
    rt::Str* filename = nullptr;  // as shown in tracebacks

    int nlocals() const { return static_cast<int>(varnames.size()); }
    int nderefs() const { return static_cast<int>(cellvars.size() + freevars.size()); }
    // Slots a frame needs: locals, cells, frees and the value stack.
    int frame_slots() const { return nlocals() + nderefs() + stacksize; }
};

Code* make_code();

// The source line of the instruction at [index] (firstlineno when out of range).
int line_of(const Code* code, int index);
// The rest of the location of the instruction at [index] (unknown columns when out of range).
Position position_of(const Code* code, int index);

}  // namespace apy::vm
