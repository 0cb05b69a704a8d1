// SPDX-License-Identifier: Apache-2.0
// The RoCE default GID of a netdev and the MAC it was made from: how a port's
// GID table names the netdev it is bound to. Pure; hook/kernel/gid_table.hpp
// reads the table.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace rnh {

// "52:54:00:12:34:56"
std::string mac_text(const std::array<unsigned char, 6>& mac);

// "fe80:0000:0000:0000:XXXX:XXff:feXX:XXXX", the default GID of a netdev
// with that MAC (make_default_gid() in roce_gid_mgmt.c: fe80::/64 and the
// MAC's modified EUI-64, the universal/local bit flipped), as sysfs prints
// class/infiniband/DEV/ports/N/gids/I; nothing if `mac` is not six hex pairs
// separated by ':'.
std::optional<std::string> default_gid(std::string_view mac);

// The MAC a default GID was made from, lower case; empty for any other GID.
std::string mac_of_default_gid(std::string_view gid);

} // namespace rnh
