// SPDX-License-Identifier: Apache-2.0
// Small helpers over lists of RDMA devices, shared by the commands.
#pragma once

#include "netlink/rdma.hpp"

#include <string>
#include <vector>

namespace rnh {

const nl::Device* find_named(const std::vector<nl::Device>& devices, const std::string& name);
std::vector<std::string> names_of(const std::vector<nl::Device>& devices);
// "a, b, c", or "none"
std::string listing(const std::vector<std::string>& names);

} // namespace rnh
