// SPDX-License-Identifier: Apache-2.0
// The OCI hook's front-end: the container an OCI state and its bundle
// describe, as a start takes it (hook/plan/container.hpp).
#pragma once

#include "hook/plan/container.hpp"
#include "oci/state.hpp"

#include <string>
#include <vector>

namespace rnh {

// Annotations come from the state; when it has none, from <bundle>/config.json,
// which also gives the namespace path and RLIMIT_MEMLOCK of a container that
// asks for devices. `devices` (from the hook's own arguments) join the
// annotation's.
Container describe_container(const oci::State& state, const std::vector<std::string>& devices);

} // namespace rnh
