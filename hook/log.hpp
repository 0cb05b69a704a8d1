// SPDX-License-Identifier: Apache-2.0
// The hook's two ways to speak: one line on stderr (runc shows it) and the
// same line in the system log (crun and Podman may not show stderr).
#pragma once

#include <string>

namespace rnh {

void log_error(const std::string& message);
// Something the operator should know that does not fail the command.
void log_warning(const std::string& message);

} // namespace rnh
