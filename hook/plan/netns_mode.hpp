// SPDX-License-Identifier: Apache-2.0
// The one remedy for shared netns mode, where no namespace isolates anything.
#pragma once

namespace rnh {

inline constexpr const char* shared_mode_remedy =
    "switch to exclusive mode: `rdma system set netns exclusive` before any container starts, "
    "or boot with `options ib_core netns_mode=0` in /etc/modprobe.d";

} // namespace rnh
