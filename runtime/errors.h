// Python exceptions inside the runtime. A function that fails sets the pending
// exception and returns null (or false / -1); its caller passes the failure up.
// No C++ exceptions are thrown for Python errors.
#pragma once

#include <string>

#include "runtime/objects.h"

namespace apy::rt {

// The builtin exception hierarchy: X(name, base).
#define APY_EXCEPTION_TYPES(X)                    \
    X(BaseException, object)                      \
    X(SystemExit, BaseException)                  \
    X(KeyboardInterrupt, BaseException)           \
    X(GeneratorExit, BaseException)               \
    X(Exception, BaseException)                   \
    X(BaseExceptionGroup, BaseException)          \
    X(ExceptionGroup, BaseExceptionGroup)         \
    X(StopIteration, Exception)                   \
    X(StopAsyncIteration, Exception)              \
    X(ArithmeticError, Exception)                 \
    X(FloatingPointError, ArithmeticError)        \
    X(OverflowError, ArithmeticError)             \
    X(ZeroDivisionError, ArithmeticError)         \
    X(AssertionError, Exception)                  \
    X(AttributeError, Exception)                  \
    X(BufferError, Exception)                     \
    X(EOFError, Exception)                        \
    X(ImportError, Exception)                     \
    X(ModuleNotFoundError, ImportError)           \
    X(LookupError, Exception)                     \
    X(IndexError, LookupError)                    \
    X(KeyError, LookupError)                      \
    X(MemoryError, Exception)                     \
    X(NameError, Exception)                       \
    X(UnboundLocalError, NameError)               \
    X(OSError, Exception)                         \
    X(BlockingIOError, OSError)                   \
    X(ChildProcessError, OSError)                 \
    X(ConnectionError, OSError)                   \
    X(BrokenPipeError, ConnectionError)           \
    X(ConnectionAbortedError, ConnectionError)    \
    X(ConnectionRefusedError, ConnectionError)    \
    X(ConnectionResetError, ConnectionError)      \
    X(FileExistsError, OSError)                   \
    X(FileNotFoundError, OSError)                 \
    X(InterruptedError, OSError)                  \
    X(IsADirectoryError, OSError)                 \
    X(NotADirectoryError, OSError)                \
    X(PermissionError, OSError)                   \
    X(ProcessLookupError, OSError)                \
    X(TimeoutError, OSError)                      \
    X(ReferenceError, Exception)                  \
    X(RuntimeError, Exception)                    \
    X(NotImplementedError, RuntimeError)          \
    X(RecursionError, RuntimeError)               \
    X(SyntaxError, Exception)                     \
    X(IndentationError, SyntaxError)              \
    X(TabError, IndentationError)                 \
    X(SystemError, Exception)                     \
    X(TypeError, Exception)                       \
    X(ValueError, Exception)                      \
    X(UnicodeError, ValueError)                   \
    X(Warning, Exception)                         \
    X(BytesWarning, Warning)                      \
    X(DeprecationWarning, Warning)                \
    X(EncodingWarning, Warning)                   \
    X(FutureWarning, Warning)                     \
    X(ImportWarning, Warning)                     \
    X(PendingDeprecationWarning, Warning)         \
    X(ResourceWarning, Warning)                   \
    X(RuntimeWarning, Warning)                    \
    X(SyntaxWarning, Warning)                     \
    X(UnicodeWarning, Warning)                    \
    X(UserWarning, Warning)

struct ExceptionTypes {
#define APY_DECLARE_EXC(name, base) Type* name = nullptr;
    APY_EXCEPTION_TYPES(APY_DECLARE_EXC)
#undef APY_DECLARE_EXC
};
extern ExceptionTypes exc;

// Raises [type]([message]). Always returns null, so `return raise(...)` reads naturally.
Value raise(Type* type, std::string message);
// printf-style message.
Value raise_format(Type* type, const char* format, ...) __attribute__((format(printf, 2, 3)));
// Raises an exception instance, or a class (instantiated with no arguments).
// Sets __context__ from the exception being handled, as CPython does.
Value raise_value(Value exception);
// Raises [type] with args (a tuple of values): KeyError(key), StopIteration(value).
Value raise_with_arg(Type* type, Value arg);

namespace detail {
inline Value g_pending = Value::null();
inline Value g_handled = Value::null();
} // namespace detail

inline bool has_pending() { return !detail::g_pending.is_null(); }
// The pending exception instance (null if none).
inline Value pending() { return detail::g_pending; }
// Returns and clears it.
inline Value take_pending() {
    Value e = detail::g_pending;
    detail::g_pending = Value::null();
    return e;
}
inline void clear_pending() { detail::g_pending = Value::null(); }
// No context chaining.
inline void set_pending(Value exception) { detail::g_pending = exception; }
// Whether the pending exception is an instance of [type].
bool pending_is(Type* type);

// The exception being handled (sys.exc_info()), maintained by the VM.
inline Value handled_exception() { return detail::g_handled; }
inline void set_handled_exception(Value exception) { detail::g_handled = exception; }

// Makes an exception instance of [type] with [args] (no raise).
Value make_exception(Type* type, Tuple* args);
Value make_exception(Type* type, std::string_view message);

// except* (PEP 654, exception_group.cpp). Splits [exception] on the exception class (or tuple)
// [spec]: *match is a group (a bare exception wrapped in ExceptionGroup("", [e])) or None,
// *rest what remains or None. False on error.
bool exception_group_match(Value exception, Value spec, Value* match, Value* rest);
// What a try/except* statement re-raises (None for nothing), from the exception it caught and
// those raised or re-raised by its clauses (CPython's _PyExc_PrepReraiseStar).
Value prep_reraise_star(Value orig, List* raised);

// Guards native recursion (repr of nested containers, comparisons, calls) so
// that deep structures raise RecursionError instead of overflowing the C++
// stack. enter_recursive_call returns false with RecursionError
// "maximum recursion depth exceeded[where]" pending when too deep.
bool enter_recursive_call(const char* where = "");
// The C++ stack the interpreter runs on, so that recursion checks can see how much is left.
void set_stack_base(const void* base, size_t size);
// True (with RecursionError pending) when less than a safety margin of C++ stack is left.
bool stack_exhausted(const char* where = "");
void leave_recursive_call();

// Refuses (false, MemoryError pending) a request for [count] items of [size] bytes each that
// no allocation could meet: more than the machine's memory, which CPython's malloc would not
// get either. Where a count comes from the program ("a" * 10**12, str.zfill(10**12)), check it
// before building, instead of letting the C++ allocation fail.
bool check_allocation(int64_t count, int64_t size);

// "int", "MyClass": the type name used in messages.
const std::string& type_name(Value v);

}  // namespace apy::rt
