// The interactive session. Lines come from GNU readline's callback interface so that the
// session's event loop keeps running while the prompt waits: poll() on the terminal with a
// timeout of the next timer, then one loop round. An entry is read until
// parse::is_incomplete_input says it is complete, compiled in Interactive mode (PRINT_EXPR
// echoes results), and run in __main__'s namespace; an entry that awaits is compiled as a
// coroutine body (top-level await) and runs as a task on the session loop.
#include "cli/repl.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

// readline.h needs stdio first.
#include <cstdio>
#include <readline/history.h>
#include <readline/readline.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "compiler/compiler.h"
#include "parser/driver.h"
#include "runtime/asyncio/asyncio.h"
#include "runtime/clock.h"
#include "runtime/errors.h"
#include "runtime/gc.h"
#include "runtime/interrupt.h"
#include "runtime/numbers.h"
#include "runtime/ops.h"
#include "runtime/runtime.h"
#include "vm/code.h"
#include "vm/frame.h"
#include "vm/generator.h"
#include "vm/interp.h"
#include "vm/traceback.h"

namespace apy::cli {

using namespace apy::rt;

namespace {

const char* const kPrompt = ">>> ";
const char* const kContinuation = "... ";

struct Session {
    Dict* globals = nullptr;
    aio::EventLoop* loop = nullptr;
    bool tty = false;
    std::string history_path;
    int exit_status = -1;  // set by SystemExit: leave the session
    // What readline's line handler delivered.
    bool line_ready = false;
    bool eof = false;
    std::string line;
    const char* prompt = kPrompt;
};

Session g;

// ------------------------------------------------------------------ reporting

// Prints [e] as an uncaught exception; SystemExit ends the session instead.
void report(Value e) {
    std::fflush(stdout);
    if (isinstance(e, exc.SystemExit)) {
        Tuple* args = as<ExceptionObject>(e)->args;
        Value code = args->size == 0 ? Value::none() : args->items[0];
        int64_t n = 0;
        if (code.is_none()) {
            g.exit_status = 0;
        } else if (is_int(code) && int_to_int64(code, &n)) {
            g.exit_status = static_cast<int>(n & 0xFF);
        } else {
            Value text = to_str(code);
            if (text.is_null()) clear_pending();
            else std::fprintf(stderr, "%s\n", std::string(str_view(text)).c_str());
            g.exit_status = 1;
        }
        return;
    }
    std::string text = vm::format_exception(e, /*suggest=*/true);
    if (text.find("RuntimeError: asyncio.run() cannot be called from a running event loop") !=
        std::string::npos)
        text += "(the prompt runs in the session's event loop: await the coroutine instead)\n";
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

void report_pending() { report(take_pending()); }

int report_uncaught_status() {
    report_pending();
    return g.exit_status < 0 ? 1 : g.exit_status;
}

// Background tasks that failed: said at once (CPython says it when the task is collected,
// which at a prompt holding `_` may be never).
void report_failed_tasks() {
    if (g.loop->failed_tasks.empty()) return;
    std::vector<Value> failed;
    failed.swap(g.loop->failed_tasks);
    List* keep_list = make_list(failed);
    Root keep(Value::object(keep_list));
    for (Value t : keep_list->items) {
        auto* task = as<aio::Future>(t);
        if (!task->log_traceback) continue;
        task->log_traceback = false;
        aio::report_exception(g.loop, "Task exception was never retrieved", task->exception, t);
    }
}

// ------------------------------------------------------------------ running entries

bool is_top_level_await_error(const SyntaxErrorInfo& e) {
    return e.message == "'await' outside function" ||
           e.message == "'async with' outside async function" ||
           e.message == "'async for' outside async function" ||
           e.message == "asynchronous comprehension outside of an asynchronous function";
}

// Stops waiting for whatever the entry's task waits on, so that [e] can be thrown into it.
void detach_task(aio::Task* task) {
    Value self = Value::object(task);
    auto is_step = [&](aio::HandleKind kind, Value target) {
        return target.is(self) &&
               (kind == aio::HandleKind::TaskStep || kind == aio::HandleKind::TaskWakeup);
    };
    if (!task->waiter.is_null()) {
        as<aio::Future>(task->waiter)->callbacks.remove_if([&](const aio::Callback& c) {
            return is_step(c.kind, c.target);
        });
        task->waiter = Value::null();
    }
    auto& ready = g.loop->ready;
    ready.erase(
        std::remove_if(ready.begin(), ready.end(),
                       [&](const aio::ReadyEntry& e) { return is_step(e.kind(), e.target()); }),
        ready.end());
}

void run_coroutine_entry(vm::Code* code) {
    vm::Frame* frame = vm::new_frame(code, nullptr, g.globals, builtins_dict(), g.globals);
    vm::Generator* coro = vm::make_generator(frame);
    Root keep_coro(Value::object(coro));
    aio::Task* task = aio::make_task(g.loop, Value::object(coro), Value::none());
    if (!task) return report_pending();
    Root keep_task(Value::object(task));
    while (!aio::run_until_complete(g.loop, task)) {
        Value e = take_pending();
        Root keep_e(e);
        if (aio::future_done(task)) {
            // The entry itself raised KeyboardInterrupt or SystemExit (reported below);
            // anything else stopped the loop from another task.
            if (!e.is(task->exception)) report(e);
            break;
        }
        if (isinstance(e, exc.SystemExit)) {
            report(e);
            return;
        }
        // Ctrl-C (or a loop failure such as a deadlock) while the entry awaits: raise it
        // in the entry, at its await, and let the entry run on to its end.
        if (isinstance(e, exc.KeyboardInterrupt))
            e = make_exception(exc.KeyboardInterrupt, make_tuple(0));
        detach_task(task);
        aio::call_soon(g.loop, aio::HandleKind::TaskStep, Value::object(task), e);
    }
    // A task that stopped the loop by raising leaves run_until_complete's stop callback
    // scheduled: it must not stop the next entry's run.
    auto& ready = g.loop->ready;
    ready.erase(std::remove_if(
                    ready.begin(), ready.end(),
                    [](const aio::ReadyEntry& e) { return e.kind() == aio::HandleKind::StopLoop; }),
                ready.end());
    Value r = aio::future_result(task);
    task->log_traceback = false;
    if (r.is_null()) report_pending();
}

void run_entry(const std::string& text) {
    Source source("<stdin>", text);
    vm::Code* code;
    try {
        auto tree = parse::parse(source, parse::Mode::Interactive);
        try {
            code = compiler::compile_module(*tree, source, compiler::Mode::Interactive);
        } catch (const SyntaxErrorInfo& e) {
            if (!is_top_level_await_error(e)) throw;
            code = compiler::compile_module(*tree, source, compiler::Mode::Interactive, true);
        }
    } catch (const SyntaxErrorInfo& error) {
        std::fflush(stdout);
        std::string message = error.type == "RecursionError"
                                  ? "RecursionError: " + error.message + "\n"
                                  : format_syntax_error(source, error);
        std::fwrite(message.data(), 1, message.size(), stderr);
        return;
    }
    Root keep_code(Value::object(code));
    take_interrupt();  // a Ctrl-C from before the entry started is not for it
    if (code->flags & vm::kCoroutine) {
        run_coroutine_entry(code);
    } else {
        // The loop counts as running, as in `python -m asyncio`: create_task() works.
        aio::set_running_loop(g.loop);
        Value r = vm::run_module_code(code, g.globals);
        aio::set_running_loop(nullptr);
        if (r.is_null()) report_pending();
    }
    heap().collect();
    report_failed_tasks();
    std::fflush(stdout);
    std::fflush(stderr);
}

// One loop round while the prompt waits; the edited line is taken off the screen while
// tasks print, then drawn again.
void idle_round() {
    if (aio::next_wakeup(g.loop) != 0) return;
    if (g.tty) rl_clear_visible_line();
    std::fflush(stdout);
    // The rounds due now in one go (a wakeup readies a step for the next round), so the
    // line is drawn again once; bounded, so a task spinning on sleep(0) cannot starve input.
    for (int i = 0; i < 100 && g.exit_status < 0 && aio::next_wakeup(g.loop) == 0; ++i) {
        if (aio::run_ready(g.loop)) continue;
        // Ctrl-C (or exit()) in a task: said once, not again as "never retrieved".
        Value e = take_pending();
        Root keep(e);
        for (Value t : g.loop->failed_tasks)
            if (as<aio::Future>(t)->exception.is(e)) as<aio::Future>(t)->log_traceback = false;
        report(e);
    }
    report_failed_tasks();
    std::fflush(stdout);
    std::fflush(stderr);
    if (g.tty) rl_forced_update_display();
}

// ------------------------------------------------------------------ reading lines

enum class ReadResult { Line, Eof, Interrupted };

void on_line(char* line) {
    g.line_ready = true;
    g.eof = line == nullptr;
    g.line = line ? line : "";
    std::free(line);
    // Off until the next read: the entry's output must not be taken for the prompt's.
    rl_callback_handler_remove();
}

// Waits until stdin has input (or hung up), Ctrl-C is pressed or [timeout] passes (null: no
// limit); returns ppoll's result. SIGINT stays blocked from the flag's check until ppoll
// waits, so a Ctrl-C that comes in between still wakes it.
int wait_for_stdin(const timespec* timeout, short* revents) {
    pollfd fd = {STDIN_FILENO, POLLIN, 0};
    sigset_t sigint, old;
    sigemptyset(&sigint);
    sigaddset(&sigint, SIGINT);
    sigprocmask(SIG_BLOCK, &sigint, &old);
    int n = 0;
    if (!g_interrupt_requested) n = ppoll(&fd, 1, timeout, &old);
    sigprocmask(SIG_SETMASK, &old, nullptr);
    *revents = fd.revents;
    return n;
}

// readline's terminal settings, except that a read of the terminal returns at once, with
// nothing when no key is waiting (VMIN 0): Ctrl-C discards typed keys that a wait for input
// saw, and a read of them must not block (see read_key).
void prep_terminal(int meta_flag) {
    rl_prep_terminal(meta_flag);
    termios settings;
    if (tcgetattr(STDIN_FILENO, &settings) != 0) return;
    settings.c_cc[VMIN] = 0;
    settings.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &settings);
}

// readline's way to read a key. A Ctrl-C ends the wait: then it returns EOF, which ends an
// empty line (a partial one rings the bell), and read_line_tty takes the interrupt.
int read_key(FILE*) {
    for (;;) {
        if (g_interrupt_requested) return EOF;
        short revents = 0;
        int ready = wait_for_stdin(nullptr, &revents);
        if (ready < 0 && errno != EINTR) return EOF; // stdin unusable: end, not spin
        if (ready <= 0) continue;                    // EINTR: Ctrl-C
        unsigned char c;
        ssize_t n = read(STDIN_FILENO, &c, 1);
        if (n == 1) return c;
        if (n == 0 && (revents & POLLIN) && !(revents & POLLHUP)) continue; // discarded
        if (n < 0 && errno == EINTR) continue;
        return EOF;
    }
}

// Ctrl-C while typing: the line (and the entry so far) is dropped.
ReadResult drop_line() {
    rl_echo_signal_char(SIGINT);
    rl_replace_line("", 0);
    rl_callback_handler_remove();
    return ReadResult::Interrupted;
}

ReadResult read_line_tty(const char* prompt, std::string* out) {
    g.line_ready = false;
    g.prompt = prompt;
    rl_callback_handler_install(prompt, on_line);
    for (;;) {
        idle_round();
        if (g.exit_status >= 0) {
            rl_callback_handler_remove();
            return ReadResult::Eof;
        }
        double wake = aio::next_wakeup(g.loop);
        timespec timeout;
        timeout.tv_sec = static_cast<time_t>(wake);
        timeout.tv_nsec = static_cast<long>((wake - static_cast<double>(timeout.tv_sec)) * 1e9);
        short revents = 0;
        int n = wait_for_stdin(wake < 0 ? nullptr : &timeout, &revents);
        if (take_interrupt()) return drop_line();
        // Under --virtual-time, the wait for the next timer moves the virtual clock too.
        if (n == 0 && wake > 0 && virtual_time_enabled()) sleep_for(wake);
        if (n > 0) {
            rl_callback_read_char();
            if (take_interrupt()) return drop_line(); // Ctrl-C while read_key waited
            if (g.line_ready) {
                *out = g.line;
                return g.eof ? ReadResult::Eof : ReadResult::Line;
            }
        }
    }
}

ReadResult read_line_plain(const char* prompt, std::string* out) {
    // Not a terminal (apy -i < file): prompts on stderr, as CPython does.
    std::fputs(prompt, stderr);
    std::fflush(stderr);
    if (!std::getline(std::cin, *out)) {
        if (take_interrupt()) {
            std::cin.clear();
            return ReadResult::Interrupted;
        }
        return ReadResult::Eof;
    }
    return ReadResult::Line;
}

ReadResult read_line(const char* prompt, std::string* out) {
    return g.tty ? read_line_tty(prompt, out) : read_line_plain(prompt, out);
}

// ------------------------------------------------------------------ history

std::string history_file() {
    if (const char* path = std::getenv("APY_HISTORY"); path && *path) return path;
    const char* home = std::getenv("HOME");
    return std::string(home ? home : ".") + "/.apy_history";
}

void setup_history() {
    g.history_path = history_file();
    // Timestamps mark where each entry starts, so a multi-line entry reads back as one.
    history_comment_char = '#';  // timestamp lines are "#<seconds>"
    history_write_timestamps = 1;
    history_multiline_entries = 1;
    using_history();
    read_history(g.history_path.c_str());
    history_truncate_file(g.history_path.c_str(), 10000);
}

// Appended at once, so that a crash or a kill loses nothing.
void remember_entry(const std::string& entry) {
    if (g.history_path.empty()) return;
    add_history(entry.c_str());
    int fd = open(g.history_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) return;  // no history file (read-only home): the session goes on
    close(fd);
    append_history(1, g.history_path.c_str());
}

// ------------------------------------------------------------------ completion

const char* const kKeywords[] = {
    "False", "None",   "True",    "and",      "as",       "assert", "async", "await",
    "break", "class",  "continue", "def",     "del",      "elif",   "else",  "except",
    "finally", "for",  "from",    "global",   "if",       "import", "in",    "is",
    "lambda", "nonlocal", "not",  "or",       "pass",     "raise",  "return", "try",
    "while", "with",   "yield",
};

bool is_callable(Value v) { return v.is_object() && type_of(v)->call != nullptr; }

// Names of [d] starting with [prefix]; "_" names only when the prefix asks for them, as
// CPython's rlcompleter does for attributes.
void add_names(Dict* d, const std::string& prefix, bool hide_private,
               std::vector<std::pair<std::string, Value>>* out) {
    if (!d) return;
    for (const DictEntry& e : d->entries) {
        if (e.key.is_null() || !is_str(e.key)) continue;
        std::string name(str_view(e.key));
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        if (hide_private && prefix.empty() && name[0] == '_') continue;
        if (hide_private && prefix == "_" && name.compare(0, 2, "__") == 0) continue;
        out->emplace_back(name, e.value);
    }
}

bool is_dotted_name(const std::string& s) {
    if (s.empty()) return false;
    bool start = true;
    for (char c : s) {
        if (c == '.') {
            if (start) return false;
            start = true;
        } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
                   (!start && std::isdigit(static_cast<unsigned char>(c)))) {
            start = false;
        } else {
            return false;
        }
    }
    return !start;
}

// The object a dotted name denotes, without running any code but attribute lookups.
Value resolve_dotted(const std::string& expr) {
    size_t dot = expr.find('.');
    Str* first = intern(expr.substr(0, dot));
    Value v = dict_get_str(g.globals, first);
    if (v.is_null()) v = dict_get_str(builtins_dict(), first);
    while (!v.is_null() && dot != std::string::npos) {
        size_t next = expr.find('.', dot + 1);
        v = getattr_optional(v, intern(expr.substr(dot + 1, next - dot - 1)));
        if (v.is_null()) clear_pending();
        dot = next;
    }
    return v;
}

std::vector<std::string> compute_matches(const std::string& text) {
    std::vector<std::pair<std::string, Value>> found;
    std::set<std::string> seen;
    std::vector<std::string> out;
    size_t dot = text.rfind('.');
    if (dot == std::string::npos) {
        for (const char* k : kKeywords) {
            std::string word = k;
            if (word.compare(0, text.size(), text) != 0) continue;
            seen.insert(word);
            if (word == "finally" || word == "try") word += ":";
            else if (word != "False" && word != "None" && word != "True" && word != "break" &&
                     word != "continue" && word != "pass" && word != "else")
                word += " ";
            out.push_back(word);
        }
        add_names(g.globals, text, false, &found);
        add_names(builtins_dict(), text, false, &found);
        for (auto& [name, value] : found) {
            if (!seen.insert(name).second) continue;
            out.push_back(is_callable(value) ? name + "(" : name);
        }
        return out;
    }
    std::string expr = text.substr(0, dot), prefix = text.substr(dot + 1);
    if (!is_dotted_name(expr)) return out;
    Value obj = resolve_dotted(expr);
    if (obj.is_null()) return out;
    Root keep(obj);
    // The instance's (or module's) own names, then its type's along the MRO; for a class,
    // its own MRO as well.
    if (Dict** slot = instance_dict_slot(obj)) add_names(*slot, prefix, true, &found);
    if (is_layout(obj, Layout::Type))
        for (Type* t : as<Type>(obj)->mro) add_names(t->dict, prefix, true, &found);
    for (Type* t : type_of(obj)->mro) add_names(t->dict, prefix, true, &found);
    for (auto& [name, value] : found) {
        if (!seen.insert(name).second) continue;
        out.push_back(expr + "." + name + (is_callable(value) ? "(" : ""));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> g_matches;

char* completion_generator(const char* text, int state) {
    if (state == 0) g_matches = compute_matches(text);
    if (state < static_cast<int>(g_matches.size())) return strdup(g_matches[state].c_str());
    return nullptr;
}

char** attempted_completion(const char* text, int start, int) {
    rl_attempted_completion_over = 1;  // never fall back to file names
    rl_completion_append_character = '\0';
    bool in_indent = true;
    for (int i = 0; i < start && in_indent; ++i)
        in_indent = std::isspace(static_cast<unsigned char>(rl_line_buffer[i]));
    if (in_indent && *text == '\0') {
        // Tab in the indentation indents, as in CPython's REPL.
        rl_insert_text("    ");
        return nullptr;
    }
    return rl_completion_matches(text, completion_generator);
}

void setup_readline() {
    rl_readline_name = "apy";
    rl_catch_signals = 0;  // Ctrl-C is ours (runtime/interrupt.h)
    rl_getc_function = read_key;
    rl_prep_term_function = prep_terminal;
    // Pasted lines arrive one by one, as typed (readline 8.1 pastes them as one line).
    rl_variable_bind("enable-bracketed-paste", "off");
    // Dots stay inside the word, so that `asyncio.cr` completes as one.
    static char breaks[] = " \t\n`~!@#$%^&*()-=+[{]}\\|;:'\",<>/?";
    rl_completer_word_break_characters = breaks;
    rl_attempted_completion_function = attempted_completion;
}

bool blank(const std::string& s) {
    return s.find_first_not_of(" \t\f\r\n") == std::string::npos;
}

bool incomplete(const std::string& text) {
    return parse::is_incomplete_input(Source("<stdin>", text), parse::Mode::Interactive);
}

}  // namespace

int run_repl(Module* main_module, const char* banner) {
    g.globals = main_module->dict;
    g.tty = isatty(STDIN_FILENO);
    // `import asyncio` (as `python -m asyncio` does) also sets up the loop's types.
    Source import_source("<stdin>", "import asyncio\n");
    auto import_tree = parse::parse(import_source, parse::Mode::File);
    vm::Code* import_code =
        compiler::compile_module(*import_tree, import_source, compiler::Mode::File);
    if (vm::run_module_code(import_code, g.globals).is_null()) return report_uncaught_status();
    g.loop = aio::make_loop();
    Root keep_loop(Value::object(g.loop));
    install_interrupt_handler();
    if (g.tty) {
        setup_readline();
        setup_history();
    }
    if (banner) {
        std::fprintf(stderr, "%s\n", banner);  // on stderr, as CPython's
        std::fflush(stderr);
    }

    while (g.exit_status < 0) {
        std::string entry, line;
        bool interrupted = false, eof = false;
        for (bool first = true;; first = false) {
            ReadResult r = read_line(first ? kPrompt : kContinuation, &line);
            if (r == ReadResult::Interrupted) {
                interrupted = true;
                break;
            }
            if (r == ReadResult::Eof) {
                eof = true;
                break;
            }
            entry += line + "\n";
            if (!incomplete(entry)) break;
            // A multi-line entry recalled from history comes as one line: it is complete.
            if (line.find('\n') != std::string::npos && !incomplete(entry + "\n")) {
                entry += "\n";
                break;
            }
        }
        if (g.exit_status >= 0) break;
        if (interrupted) {
            std::fputs("\nKeyboardInterrupt\n", stderr);
            std::fflush(stderr);
            continue;
        }
        if (eof && blank(entry)) {
            if (g.tty) std::fputs("\n", stdout);
            std::fflush(stdout);
            return 0;
        }
        if (blank(entry)) continue;
        if (g.tty) {
            std::string remembered = entry;
            while (!remembered.empty() && remembered.back() == '\n') remembered.pop_back();
            remember_entry(remembered);
        }
        run_entry(entry);
    }
    std::fflush(stdout);
    return g.exit_status;
}

}  // namespace apy::cli
