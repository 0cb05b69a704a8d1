// SPDX-License-Identifier: Apache-2.0
// What the hook knows of one container: its OCI state, what it asks for, and
// the network namespace path its config.json names.
#pragma once

#include "hook/plan/cni_attachment.hpp"
#include "hook/plan/limits.hpp"
#include "oci/request.hpp"
#include "oci/state.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rnh {

struct Container {
    oci::State state;
    oci::Request request;
    std::optional<std::string> netns_path; // from config.json, when it names one
    // config.json's RLIMIT_MEMLOCK, when it sets one
    std::optional<std::uint64_t> spec_memlock;
    // what the start sets besides moving devices (plan_limits)
    Limits limits;
    std::optional<CniAttachment> cni; // for the CNI plugin's ADD: state.id is its key
};

// Annotations come from the state; when it has none, from <bundle>/config.json.
// `devices` (from the hook's own arguments) join the annotation's.
Container describe_container(oci::State state, const std::vector<std::string>& devices);

} // namespace rnh
