// SPDX-License-Identifier: Apache-2.0
#include "oci/hook_entry.hpp"

namespace rnh::oci {

nlohmann::ordered_json hook_entry(const std::string& hook_path, const std::string& stage,
                                  const std::vector<std::string>& options)
{
    std::vector<std::string> args = {"rdma-netns-hook", stage};
    args.insert(args.end(), options.begin(), options.end());
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    entry["path"] = hook_path;
    entry["args"] = args;
    return entry;
}

} // namespace rnh::oci
