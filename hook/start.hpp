// SPDX-License-Identifier: Apache-2.0
// A start: lock, resolve, journal, move into the container's network
// namespace, verify; on any failure everything that moved comes back.
#pragma once

#include "hook/config/config.hpp"
#include "hook/plan/container.hpp"

#include <map>
#include <string>

namespace rnh {

// Moves what `container.request` asks for into the container's network
// namespace (its pid's, else `netns_path`), recording the assignment under
// `container.state.id`; devices already there are kept, not moved again.
// `verbs_nodes` (device -> uverbsN a CDI spec gave the container) must still
// match after the move. Throws after undoing the moves.
void start(const Config& config, Container container,
           const std::map<std::string, std::string>& verbs_nodes);

} // namespace rnh
