// SPDX-License-Identifier: Apache-2.0
#include "hook/cdi.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "hook/commands.hpp"
#include "hook/kernel/sysfs.hpp"
#include "oci/hook_entry.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <climits>
#include <cstdio>

namespace rnh {
namespace {

nlohmann::json hook_entry(const char* stage, const std::string& path,
                          const std::vector<std::string>& options)
{
    nlohmann::json entry = oci::hook_entry(path, stage, options);
    entry["hookName"] = stage;
    return entry;
}

std::string own_path()
{
    char path[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n < 0)
        fail_errno("finding this program's path in /proc/self/exe");
    return std::string(path, static_cast<std::size_t>(n));
}

} // namespace

std::string cdi_spec(const std::vector<CdiDevice>& devices, const std::string& hook_path)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& device : devices) {
        nlohmann::json nodes = nlohmann::json::array();
        std::vector<std::string> move_args = {"--device", device.name};
        if (device.verbs_node) {
            nodes.push_back({{"path", "/dev/infiniband/" + *device.verbs_node}});
            move_args.push_back("--verbs-node");
            move_args.push_back(device.name + "=" + *device.verbs_node);
        }
        if (device.with_netdevs)
            move_args.push_back("--with-netdevs");
        nodes.push_back({{"path", "/dev/infiniband/rdma_cm"}});
        list.push_back({
            {"name", device.name},
            {"containerEdits",
             {{"deviceNodes", nodes},
              {"hooks",
               {hook_entry("createRuntime", hook_path, move_args),
                hook_entry("poststop", hook_path, {})}}}},
        });
    }
    nlohmann::json spec = {{"cdiVersion", cdi_version}, {"kind", cdi_kind}, {"devices", list}};
    return spec.dump(2) + "\n";
}

void run_cdi_generate(const Config& config, const std::optional<std::string>& output,
                      bool with_netdevs)
{
    auto host = rdma_session(config).open();
    auto verbs = read_verbs_nodes(config.sysfs_root);
    std::vector<CdiDevice> devices;
    for (const auto& d : nl::dump_devices(host)) {
        auto node = verbs.find(d.name);
        devices.push_back(
            {d.name, node == verbs.end() ? std::nullopt : std::optional<std::string>(node->second),
             with_netdevs});
    }
    auto spec = cdi_spec(devices, own_path());
    if (output)
        write_file_atomic(*output, spec, 0644);
    else
        std::fputs(spec.c_str(), stdout);
}

} // namespace rnh
