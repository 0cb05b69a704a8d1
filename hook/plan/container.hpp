// SPDX-License-Identifier: Apache-2.0
// What a start knows of the container it gives devices to, whichever
// front-end asks: the OCI hook (a container with a process) or the CNI
// plugin (a pod's network namespace, named by a path).
#pragma once

#include "hook/plan/cni_attachment.hpp"
#include "oci/request.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace rnh {

struct Container {
    std::string id;                        // its journal entry: an OCI id, or a CNI attachment key
    std::optional<pid_t> pid;              // its process, when it has one
    std::optional<std::string> netns_path; // config.json's, or CNI_NETNS
    oci::Request request;                  // what it asks for
    // config.json's RLIMIT_MEMLOCK, when it sets one
    std::optional<std::uint64_t> spec_memlock;
    std::optional<CniAttachment> cni; // set for the CNI plugin's ADD
    // The PCI functions a device plugin allocated (CNI "deviceID"): every
    // device moved must be on one of them. Unset: no such bound.
    std::optional<std::vector<std::string>> allocation;
    // device -> "uverbsN" a CDI spec gave the container; still so after the move
    std::map<std::string, std::string> verbs_nodes;
};

} // namespace rnh
