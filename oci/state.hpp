// SPDX-License-Identifier: Apache-2.0
// The OCI state a runtime writes on a hook's stdin (runtime-spec "State").
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace rnh::oci {

using Annotations = std::map<std::string, std::string>;

struct State {
    std::string id;
    std::string status;
    std::optional<pid_t> pid; // absent in runc's poststop, 0 in crun's: both mean none
    std::string bundle;
    std::optional<Annotations> annotations; // absent when the state has none
};

inline constexpr std::size_t state_max_bytes = 1 << 20;

State parse_state(std::string_view json);
State read_state(int fd);

// Checks a container id before it names a file: the characters runc allows.
void check_container_id(const std::string& id);

} // namespace rnh::oci
