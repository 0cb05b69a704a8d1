// SPDX-License-Identifier: Apache-2.0
// The parts of a bundle's config.json the hook reads.
#pragma once

#include "oci/state.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rnh::oci {

struct Spec {
    Annotations annotations;
    // linux.namespaces[type=network].path, when the runtime joins an existing namespace.
    std::optional<std::string> netns_path;
    // process.rlimits[type=RLIMIT_MEMLOCK].soft, when config.json sets it.
    std::optional<std::uint64_t> memlock;
};

inline constexpr std::size_t spec_max_bytes = 4 << 20;

Spec parse_spec(std::string_view json, const std::string& what);
// Reads <bundle>/config.json; the bundle must be an absolute path and
// config.json a regular file, not a symbolic link.
Spec read_spec(const std::string& bundle);

} // namespace rnh::oci
