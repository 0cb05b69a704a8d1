// SPDX-License-Identifier: Apache-2.0
// A CNI attachment, as the plugin's ADD describes it and the journal keeps it
// beside hook assignments: the pod sandbox's container id, the interface name
// and the network's name (GC releases only the attachments of its own network).
#pragma once

#include <string>

namespace rnh {

struct CniAttachment {
    std::string container_id; // CNI_CONTAINERID
    std::string ifname;       // CNI_IFNAME
    std::string network;      // the network configuration's "name"
};

} // namespace rnh
