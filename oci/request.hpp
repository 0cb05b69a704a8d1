// SPDX-License-Identifier: Apache-2.0
// What a container asks for: RDMA devices by name, by the netdev bound to
// their port, or by PCI address. Read from annotations (or, for the runtime
// wrapper, environment variables of the same syntax).
#pragma once

#include "oci/state.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rnh::oci {

inline constexpr std::string_view annotation_devices = "rdma.netns/devices";
inline constexpr std::string_view annotation_netdevs = "rdma.netns/netdevs";
inline constexpr std::string_view annotation_pci = "rdma.netns/pci";
inline constexpr std::string_view annotation_memlock = "rdma.netns/memlock";

// RLIMIT_MEMLOCK's "unlimited" (RLIM_INFINITY) as the hook carries it.
inline constexpr std::uint64_t memlock_unlimited = UINT64_MAX;
inline constexpr std::string_view annotation_with_netdevs = "rdma.netns/with-netdevs";

struct Request {
    std::vector<std::string> devices; // RDMA device names
    std::vector<std::string> netdevs; // host netdev names
    std::vector<std::string> pci;     // PCI addresses, normalised to dddd:bb:dd.f
    // rdma.netns/memlock: bytes of locked memory asked for; not a device
    std::optional<std::uint64_t> memlock;
    // Whether the netdevs bound to the devices' ports go along; unset: the
    // config file's with_netdevs.
    std::optional<bool> with_netdevs;
    bool empty() const { return devices.empty() && netdevs.empty() && pci.empty(); }
};

// Far above any node's device count; bounds the work a hostile list can
// cause. Every form of a list (an annotation, a CNI array) has this one cap.
inline constexpr std::size_t max_list_items = 1024;

// Each list is comma-separated; blanks around items are ignored, duplicates
// merged, and an empty or malformed item, or more than max_list_items
// items, is an error naming `source`.
std::vector<std::string> parse_device_list(std::string_view value, const std::string& source);
std::vector<std::string> parse_netdev_list(std::string_view value, const std::string& source);
std::vector<std::string> parse_pci_list(std::string_view value, const std::string& source);

// A locked-memory size: bytes, or a number with K, M, G or T (powers of 1024),
// or "unlimited" (memlock_unlimited); anything else is an error naming `source`.
std::uint64_t parse_memlock(std::string_view value, const std::string& source);
// The same in the shortest of those forms: "64M", "unlimited", "1000".
std::string memlock_text(std::uint64_t bytes);
// "true" or "false"; anything else is an error naming `source`.
bool parse_with_netdevs(std::string_view value, const std::string& source);

Request request_from_annotations(const Annotations& annotations);

// "0000:3b:00.1" (lower case) for a PCI address with or without its domain;
// nothing if it is not one.
std::optional<std::string> normal_pci_address(std::string_view address);

} // namespace rnh::oci
