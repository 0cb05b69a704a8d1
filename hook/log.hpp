// SPDX-License-Identifier: Apache-2.0
// The hook's two ways to speak: one line on stderr (runc shows it) and the
// same line in the system log (crun and Podman may not show stderr).
#pragma once

#include <string>

namespace rnh {

// The name both lines start with: "rdma-netns-hook" unless a program sets its own.
void set_log_name(const char* name);

void log_error(const std::string& message);
// Something the operator should know that does not fail the command.
void log_warning(const std::string& message);

} // namespace rnh
