// SPDX-License-Identifier: Apache-2.0
// The audit command.
#pragma once

#include "hook/config/config.hpp"

#include <string>

namespace rnh {

// audit TARGET: which RDMA devices the target (a pid, a container id of the
// journal, or a network namespace path) sees or opens on each access path,
// against what the journal says it was given. Prints a table (or JSON) and
// returns true when the two match; otherwise prints one line per breach on
// stderr and returns false.
bool run_audit(const Config& config, const std::string& target, bool json);

} // namespace rnh
