// SPDX-License-Identifier: Apache-2.0
#include "installer/layout.hpp"

#include <nlohmann/json.hpp>

namespace rnh::installer {

std::string hooks_d_file(std::string_view stage, const std::string& hook)
{
    nlohmann::ordered_json file = {
        {"version", "1.0.0"},
        {"hook", {{"path", hook}, {"args", {"rdma-netns-hook", stage}}}},
        {"when", {{"annotations", {{R"(^rdma\.netns/(devices|netdevs|pci)$)", ".+"}}}}},
        {"stages", {stage}},
    };
    return file.dump(2) + "\n";
}

} // namespace rnh::installer
