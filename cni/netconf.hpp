// SPDX-License-Identifier: Apache-2.0
// The network configuration a runtime gives the plugin on stdin: rdma-cni's
// keys with rdma-cni's meaning ("deviceID", "args.cni.debug"), the lists of the
// hook's annotations ("devices", "netdevs", "pci"), "runtimeConfig.deviceID",
// "prevResult", the pod's rdma.netns/ annotations (runtimeConfig, capability
// "io.kubernetes.cri.pod-annotations"), and GC's "cni.dev/valid-attachments".
// Keys it does not know are ignored, as CNI expects of plugins in a chain.
#pragma once

#include "oci/request.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rnh::cni {

inline constexpr std::string_view latest_version = "1.1.0";
// The capability under which containerd's CRI plugin passes a pod's annotations.
inline constexpr const char* pod_annotations_capability = "io.kubernetes.cri.pod-annotations";
inline constexpr std::string_view supported_versions[] = {"0.3.1", "0.4.0", "1.0.0", "1.1.0"};

struct ValidAttachment {
    std::string container_id;
    std::string ifname;
    bool operator==(const ValidAttachment&) const = default;
};

// The one interface a previous plugin put into the sandbox.
struct SandboxInterface {
    std::string name;
    std::string mac; // empty when the result gives none
};

struct NetConf {
    std::string cni_version;
    std::string name;
    oci::Request request; // the lists, or the pod's annotations; plus "deviceID" if a PCI address
    // The network declares the capability: a pod asks by its annotations, and
    // a pod asking nothing gets nothing (no device derived from prevResult).
    bool takes_pod_annotations = false;
    bool by_pod_annotations = false;       // the request is the pod's annotations
    std::optional<std::string> allocation; // "deviceID" naming a PCI function: the lists' bound
    std::optional<std::string> aux_device; // "deviceID" naming an auxiliary device
    bool debug = false;                    // args.cni.debug
    std::optional<nlohmann::json> prev_result;
    std::optional<std::vector<ValidAttachment>> valid_attachments; // GC's
    // The keys that ask for devices, of "deviceID" (either place), "devices",
    // "netdevs", "pci", and "podAnnotations": what policy.cni_requests must honour.
    std::vector<std::string> parts;
    // config_identity() of the configuration without what a runtime injects
    // per call ("cniVersion", "prevResult", "runtimeConfig", "args",
    // "deviceID", "cni.dev/valid-attachments"): the same for ADD and GC.
    std::string config_id;

    bool has_request() const { return !request.empty() || aux_device; }
};

// The configuration's "cniVersion" when this plugin speaks it; an error naming
// the supported versions otherwise (CNI error code 1).
std::string check_version(const nlohmann::json& conf);

// Everything else (CNI error code 7 for what is wrong in it).
NetConf parse_netconf(const nlohmann::json& conf);

// The interface of `prev_result` that is in the sandbox, when exactly one is;
// an error saying how many there were otherwise.
SandboxInterface sandbox_interface(const nlohmann::json& prev_result);

} // namespace rnh::cni
