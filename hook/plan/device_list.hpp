// SPDX-License-Identifier: Apache-2.0
// Small helpers over lists of RDMA devices, shared by the commands.
#pragma once

#include "netlink/rdma.hpp"

#include <string>
#include <vector>

namespace rnh {

const nl::Device* find_named(const std::vector<nl::Device>& devices, const std::string& name);
std::vector<std::string> names_of(const std::vector<nl::Device>& devices);
// Of `wanted`, the names `known` has (in any order), sorted and distinct:
// a start locks only devices that exist, so a request naming many that do
// not makes no lock file.
std::vector<std::string> known_names(std::vector<std::string> wanted,
                                     std::vector<std::string> known);
// "a, b, c", or "none"
std::string listing(const std::vector<std::string>& names);

} // namespace rnh
