// What the hook knows of one container: its OCI state, what it asks for, and
// how to reach its network namespace.
#pragma once

#include "hook/netns.hpp"
#include "oci/request.hpp"
#include "oci/state.hpp"

#include <optional>
#include <string>
#include <vector>

namespace rnh {

struct Container {
    oci::State state;
    oci::Request request;
    std::optional<std::string> netns_path; // from config.json, when it names one
};

// Annotations come from the state; when it has none, from <bundle>/config.json.
// `devices` (from the hook's own arguments) join the annotation's.
Container describe_container(oci::State state, const std::vector<std::string>& devices);

// The container's network namespace: through its pid (pidfd, race-free), or
// the path config.json gives when the state has no pid.
Netns container_netns(const Container& container);

} // namespace rnh
