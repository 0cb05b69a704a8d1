// SPDX-License-Identifier: Apache-2.0
// A CNI attachment, as the plugin's ADD describes it and the journal keeps it
// beside hook assignments: the pod sandbox's container id, the interface name,
// the network's name and configuration identity (GC releases only the
// attachments of its own network), the pod, and the CNI specification's
// grammar of the first two.
#pragma once

#include <string>
#include <string_view>

namespace rnh {

struct CniAttachment {
    std::string container_id; // CNI_CONTAINERID
    std::string ifname;       // CNI_IFNAME
    std::string network;      // the network configuration's "name"
    std::string pod;          // K8S_POD_UID of CNI_ARGS; empty when not given
    // The network configuration's identity (config_identity()); empty in an
    // entry of an earlier release, which GC therefore never releases.
    std::string config_id;
};

// A short identity of a network configuration: FNV-1a (64 bits, in hex) of
// `canonical`, its JSON with sorted keys and without what a runtime injects.
std::string config_identity(std::string_view canonical);

// The journal name of a CNI attachment: "<CNI_CONTAINERID>@<CNI_IFNAME>". An
// OCI container id never holds '@', so the two kinds never clash; the parts
// are checked (check_cni_container_id, check_cni_ifname) so that it is a safe
// file name.
std::string attachment_key(const std::string& container_id, const std::string& ifname);
// The CNI specification's rules: an id starts with a letter or digit, then
// letters, digits, '_', '.', '-'; an interface name is 1 to 15 bytes, not "."
// or "..", without '/', ':' or white space (and here printable ASCII).
void check_cni_container_id(const std::string& id);
void check_cni_ifname(const std::string& ifname);

} // namespace rnh
