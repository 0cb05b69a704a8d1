// SPDX-License-Identifier: Apache-2.0
// A refusal, where a container engine looks for it: containerd's runc shim
// shows the last error in the runtime's --log file, not its stderr.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace rnh::runtime {

// One line (with its newline) in runc's log format: for "json" the
// {"level":"error","msg":...,"time":...} record runc writes, else logrus text.
std::string log_record(std::string_view message, std::string_view format, std::time_t now);

} // namespace rnh::runtime
