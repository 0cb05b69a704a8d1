// SPDX-License-Identifier: Apache-2.0
// The one change the wrapper makes to a bundle: a container whose environment
// (process.env) asks for RDMA devices gets the matching annotations and the
// hook's prestart and poststop entries.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rnh::runtime {

inline constexpr std::string_view env_devices = "RDMA_NETNS_DEVICES";
inline constexpr std::string_view env_netdevs = "RDMA_NETNS_NETDEVS";
inline constexpr std::string_view env_pci = "RDMA_NETNS_PCI";
inline constexpr std::string_view env_memlock = "RDMA_NETNS_MEMLOCK";
// 1 or true, 0 or false: annotation rdma.netns/with-netdevs, with a request.
inline constexpr std::string_view env_with_netdevs = "RDMA_NETNS_WITH_NETDEVS";

// Takes config.json's text (named `what` in errors) and returns the new text,
// or nothing when it is to stay as it is, byte for byte.
//
// A request is one of the variables above in process.env (the first of each
// name counts), in the syntax of the annotations rdma.netns/devices, netdevs
// and pci; each becomes its annotation, normalised, unless the spec already
// has that annotation, which wins (the variable is then ignored). A spec that
// already has one of those annotations is a request too. With a request, a
// prestart and a poststop entry for `hook_path` are added unless the hook is
// already there (prestart or createRuntime, by path or by the name
// rdma-netns-hook). RDMA_NETNS_MEMLOCK becomes rdma.netns/memlock the same
// way, but alone it is no request. Every other member is kept, in its order.
//
// A malformed variable, or a spec whose annotations, hooks or process.env are
// of the wrong type, is an rnh::Error.
std::optional<std::string> add_hooks_to_spec(std::string_view text, const std::string& what,
                                             const std::string& hook_path);

} // namespace rnh::runtime
