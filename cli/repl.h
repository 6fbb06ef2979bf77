// The interactive session: `apy` on a terminal, `apy -i`, `apy -i FILE` (see docs/repl.md).
#pragma once

#include "runtime/objects.h"

namespace apy::cli {

// Runs the session in [main_module]'s namespace until Ctrl-D, exit() or SystemExit; returns
// the process exit status. [banner]: the first line shown, or null for none (after a file).
int run_repl(rt::Module* main_module, const char* banner);

}  // namespace apy::cli
