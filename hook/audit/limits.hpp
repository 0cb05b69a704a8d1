// SPDX-License-Identifier: Apache-2.0
// audit, for the limits a start set: whether the container's RLIMIT_MEMLOCK
// and its cgroup's rdma.max still say what the journal recorded.
#pragma once

#include "hook/state/journal.hpp"
#include "hook/state/ns_id.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rnh {

// What the kernel says now, of the container's process and cgroup; unset
// where it could not be read (the text says why).
struct LimitsNow {
    std::optional<std::uint64_t> memlock;
    std::string memlock_error;
    std::optional<std::string> rdma_max; // the file's text
    std::string rdma_max_error;
};

// One line per difference between what `a` recorded and `now`. Pure.
std::vector<std::string> limit_breaches(const Assignment& a, const LimitsNow& now);

// The breaches of every container of the journal in the namespace `netns`
// that recorded limits, read from its process and its cgroup.
std::vector<std::string> audit_limits(const std::vector<Assignment>& journal, NsId netns);

} // namespace rnh
