// SPDX-License-Identifier: Apache-2.0
// Per-device locks: flock()s on <state_dir>/locks/<device>.lock.
#pragma once

#include "base/fd.hpp"

#include <string>
#include <vector>

namespace rnh {

// Taken in name order so that two hooks never wait on each other crosswise;
// released on destruction.
class DeviceLocks {
public:
    DeviceLocks(const std::string& state_dir, std::vector<std::string> names);

private:
    std::vector<Fd> fds_;
};

} // namespace rnh
