// SPDX-License-Identifier: Apache-2.0
// The RoCE default GID of a netdev, as sysfs prints it: how a port's GID
// table names the MAC address of the netdev it is bound to.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rnh::cni {

// "fe80:0000:0000:0000:XXXX:XXff:feXX:XXXX", the link-local address of the
// MAC's modified EUI-64 (the universal/local bit flipped), in the form of
// <sysfs>/class/infiniband/DEV/ports/N/gids/I; nothing if `mac` is not
// six hex pairs separated by ':'.
std::optional<std::string> default_gid(std::string_view mac);

} // namespace rnh::cni
