// SPDX-License-Identifier: Apache-2.0
// Test builds only (-DRNH_FAULT_INJECTION=ON): points where a test can stop
// the hook to kill it or make a step fail, and a report of its resource use. Release builds
// compile them to nothing.
#pragma once

#include <string_view>

namespace rnh {

#ifdef RNH_FAULT_INJECTION
// If $RNH_FAULT names this point: creates the file $RNH_FAULT_MARKER and
// sleeps until killed.
void fault_point(std::string_view name);
// True if $RNH_FAULT names this point: the caller fails where no real failure exists.
bool fault_fails(std::string_view name);
// If $RNH_USAGE_LOG is set: appends "fds=N peak_rss_kb=M" for this process.
void report_usage();
#else
inline void fault_point(std::string_view) {}
inline bool fault_fails(std::string_view)
{
    return false;
}
inline void report_usage() {}
#endif

} // namespace rnh
