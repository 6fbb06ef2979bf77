// The apy command: run a file, a -c string or stdin; disassemble; show the version.
#include "cli/repl.h"
#include "compiler/compiler.h"
#include "parser/driver.h"
#include "runtime/clock.h"
#include "runtime/errors.h"
#include "runtime/gc.h"
#include "runtime/interrupt.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/disasm.h"
#include "vm/generator.h"
#include "vm/import.h"
#include "vm/interp.h"
#include "vm/traceback.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <new>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace apy::rt {
Dict* sys_modules();
}

namespace {

using namespace apy;
using namespace apy::rt;

constexpr const char* kVersion = "apy 0.1.0 (Python 3.11 semantics)";

const char* const kUsage =
    "usage: apy [option] ... [-c cmd | file | -] [arg] ...\n"
    "Options:\n"
    "  -c cmd       program passed in as a string\n"
    "  -            program read from stdin (default when no file is given and stdin\n"
    "               is not a terminal; on a terminal, apy starts the REPL)\n"
    "  -i           start the REPL (after running the file, in its globals)\n"
    "  -u           unbuffered stdout (also PYTHONUNBUFFERED=x)\n"
    "  --dis FILE   show the bytecode of FILE's code objects\n"
    "  --virtual-time  run the event loop on a virtual clock (also APY_VIRTUAL_TIME=1)\n"
    "  --version    print the version and exit\n"
    "  -h, --help   print this help and exit\n";

// Exit status for an uncaught SystemExit: its code, as CPython computes it.
int exit_status_of(Value e) {
    Tuple* args = as<ExceptionObject>(e)->args;
    Value code = args->size == 0 ? Value::none() : args->size == 1 ? args->items[0] : Value::object(args);
    if (code.is_none()) return 0;
    int64_t n;
    if (is_int(code) && int_to_int64(code, &n)) return static_cast<int>(n & 0xFF);
    Value text = to_str(code);
    if (!text.is_null()) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", std::string(str_view(text)).c_str());
    }
    return 1;
}

// What report_uncaught returns for a KeyboardInterrupt: the process then ends as CPython's
// does, killed by SIGINT.
constexpr int kExitBySigint = -1;

// Reports the pending exception; returns the process exit status.
int report_uncaught() {
    Value e = take_pending();
    std::fflush(stdout);
    if (isinstance(e, exc.SystemExit)) return exit_status_of(e);
    bool interrupted = isinstance(e, exc.KeyboardInterrupt);
    std::string text = vm::format_exception(e, /*suggest=*/true);
    std::fwrite(text.data(), 1, text.size(), stderr);
    return interrupted ? kExitBySigint : 1;
}

int report_syntax_error(const Source& source, const SyntaxErrorInfo& error) {
    std::fflush(stdout);
    if (error.type == "RecursionError") {
        std::fprintf(stderr, "RecursionError: %s\n", error.message.c_str());
        return 1;
    }
    std::string text = format_syntax_error(source, error);
    std::fwrite(text.data(), 1, text.size(), stderr);
    return 1;
}

bool read_all(std::istream& in, std::string* out) {
    std::stringstream buffer;
    buffer << in.rdbuf();
    *out = buffer.str();
    return true;
}

// As CPython's interpreter exit: __main__ leaves sys.modules, and what only it (or the
// traceback just reported) kept alive is finalized: suspended generators are closed, a
// coroutine never awaited still warns.
void shut_down() {
    dict_del(sys_modules(), str_value("__main__"));
    vm::begin_shutdown();
    heap().collect();
    heap().run_finalizers();
    heap().collect();
    std::fflush(stdout);
}

// [main_out]: where to leave the __main__ module (apy -i goes on in its globals).
int run_source(const std::string& path, const std::string& text, Module** main_out = nullptr) {
    vm::remember_source(path, text);
    Source source(path, text);
    vm::Code* code;
    try {
        auto tree = parse::parse(source, parse::Mode::File);
        code = compiler::compile_module(*tree, source, compiler::Mode::File);
    } catch (const SyntaxErrorInfo& error) {
        return report_syntax_error(source, error);
    }
    // Ctrl-C raises KeyboardInterrupt, as in CPython, unless SIGINT was ignored when apy
    // started (a background job of a shell script).
    struct sigaction current = {};
    if (sigaction(SIGINT, nullptr, &current) == 0 && current.sa_handler != SIG_IGN)
        install_interrupt_handler();
    Module* main_module = make_module("__main__");
    if (main_out) *main_out = main_module;
    dict_set(sys_modules(), str_value("__main__"), Value::object(main_module));
    if (path[0] != '<') dict_set_str(main_module->dict, "__file__", str_value(path));
    Value result = vm::run_module_code(code, main_module->dict);
    // Collect once more so that finalizers report (coroutines never awaited) before the
    // traceback, in the order CPython's reference counting gives.
    heap().collect();
    int status = result.is_null() ? report_uncaught() : 0;
    std::fflush(stdout);
    if (main_out) return status == kExitBySigint ? 1 : status;
    shut_down();
    if (status == kExitBySigint) {
        std::fflush(nullptr);
        std::signal(SIGINT, SIG_DFL);
        std::raise(SIGINT);
        return 130; // as a shell reports a process killed by SIGINT
    }
    return status;
}

int disassemble_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "apy: can't open file '%s': [Errno 2] No such file or directory\n", path.c_str());
        return 2;
    }
    std::string text;
    read_all(in, &text);
    Source source(path, text);
    try {
        auto tree = parse::parse(source, parse::Mode::File);
        vm::Code* code = compiler::compile_module(*tree, source, compiler::Mode::File);
        std::string listing = vm::disassemble(code);
        std::fwrite(listing.data(), 1, listing.size(), stdout);
    } catch (const SyntaxErrorInfo& error) {
        return report_syntax_error(source, error);
    }
    return 0;
}

// os.path.abspath: joined to the working directory, with "." and ".." segments folded.
std::string absolute_path(const std::string& path) {
    std::string joined = path;
    if (path.empty() || path[0] != '/') {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd)) return path;
        joined = std::string(cwd) + "/" + path;
    }
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= joined.size()) {
        size_t slash = joined.find('/', start);
        if (slash == std::string::npos) slash = joined.size();
        std::string part = joined.substr(start, slash - start);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        start = slash + 1;
    }
    std::string out;
    for (const std::string& part : parts) out += "/" + part;
    return out.empty() ? "/" : out;
}

std::string directory_of(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

}  // namespace

int apy_main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (const char* env = std::getenv("APY_VIRTUAL_TIME"); env && std::strcmp(env, "1") == 0)
        enable_virtual_time();
    // As CPython's: any non-empty PYTHONUNBUFFERED is -u.
    const char* unbuffered_env = std::getenv("PYTHONUNBUFFERED");
    bool unbuffered = unbuffered_env && *unbuffered_env;
    for (; !args.empty() && (args[0] == "--virtual-time" || args[0] == "-u");
         args.erase(args.begin())) {
        if (args[0] == "-u")
            unbuffered = true;
        else
            enable_virtual_time();
    }
    // Each write reaches a pipe at once (a reader timing the lines, a log being tailed).
    if (unbuffered) std::setvbuf(stdout, nullptr, _IONBF, 0);
    if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (!args.empty() && args[0] == "--version") {
        std::puts(kVersion);
        return 0;
    }
    if (!args.empty() && args[0] == "--dis") {
        if (args.size() < 2) {
            std::fputs("apy: --dis needs a file\n", stderr);
            return 2;
        }
        init_runtime({args[1]});
        return disassemble_file(args[1]);
    }
    if (!args.empty() && args[0] == "-c") {
        if (args.size() < 2) {
            std::fputs("Argument expected for the -c option\n", stderr);
            return 2;
        }
        std::vector<std::string> script_argv{"-c"};
        script_argv.insert(script_argv.end(), args.begin() + 2, args.end());
        init_runtime(script_argv);
        return run_source("<string>", args[1] + "\n");
    }
    bool interactive = !args.empty() && args[0] == "-i";
    if (interactive) args.erase(args.begin());
    if ((interactive && args.empty()) || (args.empty() && isatty(STDIN_FILENO))) {
        init_runtime({""});
        Module* main_module = make_module("__main__");
        dict_set(sys_modules(), str_value("__main__"), Value::object(main_module));
        std::string banner = std::string(kVersion) +
                             " - asyncio REPL: use \"await\" directly; exit() or Ctrl-D to quit";
        return cli::run_repl(main_module, banner.c_str());
    }
    if (!args.empty() && args[0].size() > 1 && args[0][0] == '-' && args[0] != "-") {
        std::fprintf(stderr, "apy: unknown option %s\n%s", args[0].c_str(), kUsage);
        return 2;
    }
    if (args.empty() || args[0] == "-") {
        std::vector<std::string> script_argv{args.empty() ? "" : "-"};
        if (!args.empty()) script_argv.insert(script_argv.end(), args.begin() + 1, args.end());
        init_runtime(script_argv);
        std::string text;
        read_all(std::cin, &text);
        return run_source("<stdin>", text);
    }
    const std::string& path = args[0];
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "apy: can't open file '%s': [Errno 2] No such file or directory\n",
                     absolute_path(path).c_str());
        return 2;
    }
    std::string text;
    read_all(in, &text);
    init_runtime(args);
    // Like CPython 3.11, the main script is known by its absolute path (tracebacks, reprs).
    std::string script = absolute_path(path);
    vm::set_main_directory(directory_of(script));
    if (!interactive) return run_source(script, text);
    Module* main_module = nullptr;
    int status = run_source(script, text, &main_module);
    // Like python -i: the session starts even after an error (reported above).
    return main_module ? cli::run_repl(main_module, nullptr) : status;
}

int main(int argc, char** argv) {
    // Recursion checks watch the C++ stack: native code that calls back into apy code
    // nests dispatch loops, and a deep recursion must end in RecursionError, not a crash.
    // A soft limit below 8 MiB (ulimit -S -s 1024) is raised as far as the hard one allows:
    // the main thread's stack grows up to the limit in force.
    rlimit limit{};
    const rlim_t wanted = rlim_t(8) << 20;
    size_t stack_size = wanted;
    if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        if (limit.rlim_cur < wanted) {
            rlimit raised = limit;
            raised.rlim_cur =
                limit.rlim_max == RLIM_INFINITY ? wanted : std::min(limit.rlim_max, wanted);
            if (setrlimit(RLIMIT_STACK, &raised) == 0) limit = raised;
        }
        stack_size = static_cast<size_t>(limit.rlim_cur);
    }
    char base;
    apy::rt::set_stack_base(&base, stack_size);
    // Sizes a program chooses are checked before allocating (rt::check_allocation); should an
    // allocation fail all the same, the program ends as with an uncaught MemoryError, not by
    // std::terminate.
    try {
        return apy_main(argc, argv);
    } catch (const std::bad_alloc&) {
        std::fflush(stdout);
        std::fputs("MemoryError\n", stderr);
        return 1;
    }
}
