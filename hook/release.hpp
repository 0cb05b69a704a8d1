// SPDX-License-Identifier: Apache-2.0
// Returning a container's devices to the host: shared by poststop and recovery.
#pragma once

#include "hook/config/config.hpp"
#include "hook/state/journal.hpp"

#include <functional>
#include <string>

namespace rnh {

// Returns the devices of `assignment` that no other container in the same
// namespace still holds, verifies they are back in the host, then forgets the
// assignment. A device that does not come back is an error naming it; the
// journal then keeps the assignment with just those devices.
void release(const Config& config, const Journal& journal, const Assignment& assignment);

// release() under the locks of the devices `seen` names, of the assignment as
// the journal holds it once they are taken: another hook may have changed it
// meanwhile. Nothing when it is gone by then.
void release_locked(const Config& config, const Journal& journal, const Assignment& seen);

// Why an assignment is to be released; empty: it is not.
using ReleaseReason = std::function<std::string(const Assignment&)>;
using OnReleased = std::function<void(const Assignment&, const std::string& reason)>;

// Each assignment of the journal, read again under the locks of its devices,
// that `reason` picks is released; every one is tried, and `on_released`
// hears of each that went home. Then fails with `failed` and one part per
// failure, if any.
void release_each(const Config& config, const Journal& journal, const ReleaseReason& reason,
                  const std::string& failed, const OnReleased& on_released = {});

} // namespace rnh
