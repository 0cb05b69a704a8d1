// SPDX-License-Identifier: Apache-2.0
// The parts of a bundle's config.json the hook reads.
#pragma once

#include "base/error.hpp"
#include "oci/state.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace rnh::oci {

// process.rlimits[type=RLIMIT_MEMLOCK].soft. When config.json's rlimits cannot
// be read, the error is thrown where the limit is asked for, not by
// parse_spec: only a container given devices needs it, and one given none is
// not refused for rlimits the hook would not use.
class MemlockRlimit {
public:
    MemlockRlimit() = default;
    explicit MemlockRlimit(std::optional<std::uint64_t> soft) : soft_(soft) {}
    explicit MemlockRlimit(Error unreadable) : unreadable_(std::move(unreadable)) {}
    // The soft limit, or none when config.json sets none; throws the error
    // that reading it met.
    std::optional<std::uint64_t> value() const;

private:
    std::optional<std::uint64_t> soft_;
    std::optional<Error> unreadable_;
};

struct Spec {
    Annotations annotations;
    // linux.namespaces[type=network].path, when the runtime joins an existing namespace.
    std::optional<std::string> netns_path;
    MemlockRlimit memlock;
};

inline constexpr std::size_t spec_max_bytes = 4 << 20;

Spec parse_spec(std::string_view json, const std::string& what);
// Reads <bundle>/config.json; the bundle must be an absolute path and
// config.json a regular file, not a symbolic link.
Spec read_spec(const std::string& bundle);

} // namespace rnh::oci
