// Starting the runtime, and the collector's roots.
#include <cstdlib>

#include "runtime/classes.h"
#include "runtime/errors.h"
#include "runtime/runtime.h"
#include "vm/frame.h"
#include "vm/generator.h"

namespace apy::rt {

void create_builtin_types();
void give_builtin_types_dicts();
void inherit_builtin_slots();
void mark_builtin_types(Tracer& tracer);
void mark_error_roots(Tracer& tracer);
void mark_module_roots(Tracer& tracer);
void mark_builtins_roots(Tracer& tracer);

namespace {

// The running frames, innermost first, through their back links.
void mark_running_frames(Tracer& tracer) {
    for (vm::Frame* f = vm::current_frame(); f; f = f->back) vm::trace_frame(f, tracer);
}

}  // namespace

void init_runtime(std::vector<std::string> argv) {
    create_builtin_types();
    give_builtin_types_dicts();
    // str first: registering methods hashes their names.
    setup_str_type();
    setup_object_type();
    setup_number_types();
    setup_container_types();
    setup_function_types();
    setup_module_type();
    setup_exception_types();
    setup_builtins();
    vm::register_async_iteration_builtins();
    setup_class_types();
    inherit_builtin_slots();
    set_argv(std::move(argv));

    Heap& h = heap();
    h.add_root_provider(mark_builtin_types);
    h.add_root_provider(mark_error_roots);
    h.add_root_provider(mark_module_roots);
    h.add_root_provider(mark_builtins_roots);
    h.add_root_provider(mark_running_frames);
    if (const char* stress = std::getenv("APY_GC_STRESS"); stress && *stress == '1')
        h.set_stress(true);
}

}  // namespace apy::rt
