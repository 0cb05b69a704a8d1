// SPDX-License-Identifier: Apache-2.0
// The entry of a spec's "hooks" that runs rdma-netns-hook at one stage
// (runtime-spec config.md, "POSIX-platform Hooks"); CDI specs and bundles
// edited by rdma-netns-runtime both carry it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace rnh::oci {

// {"path": hook_path, "args": ["rdma-netns-hook", stage, options...]}
nlohmann::ordered_json hook_entry(const std::string& hook_path, const std::string& stage,
                                  const std::vector<std::string>& options = {});

} // namespace rnh::oci
