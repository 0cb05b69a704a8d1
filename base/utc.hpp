// SPDX-License-Identifier: Apache-2.0
// Times as the hook prints them and runc logs them.
#pragma once

#include <ctime>
#include <string>

namespace rnh {

// "2026-01-02T03:04:05Z"; the epoch if `t` cannot be represented.
std::string utc_timestamp(std::time_t t);

} // namespace rnh
