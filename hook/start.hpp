// SPDX-License-Identifier: Apache-2.0
// A start: lock, look, decide, journal, move into the container's network
// namespace, verify; on any failure everything that moved comes back. Every
// front-end's start: the hook's prestart and the CNI plugin's ADD.
#pragma once

#include "hook/config/config.hpp"
#include "hook/plan/container.hpp"

namespace rnh {

// Moves what `container.request` asks for into the container's network
// namespace (its pid's, else `netns_path`), recording the assignment under
// `container.id`; devices already there are kept, not moved again. Throws
// after undoing the moves.
void start(const Config& config, const Container& container);

} // namespace rnh
