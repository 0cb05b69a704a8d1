// SPDX-License-Identifier: Apache-2.0
#include "hook/plan/policy.hpp"

#include "base/error.hpp"
#include "hook/plan/device_list.hpp"

#include <fnmatch.h>

namespace rnh {
namespace {

const std::string* matching(const std::vector<std::string>& rules, const std::string& name,
                            const std::string* pci)
{
    for (const auto& rule : rules)
        if (::fnmatch(rule.c_str(), name.c_str(), 0) == 0 ||
            (pci != nullptr && ::fnmatch(rule.c_str(), pci->c_str(), FNM_CASEFOLD) == 0))
            return &rule;
    return nullptr;
}

} // namespace

void check_request(const Policy& policy, const oci::Request& request, const std::string& source)
{
    const std::pair<const char*, const std::vector<std::string>*> asked[] = {
        {"devices", &request.devices}, {"netdevs", &request.netdevs}, {"pci", &request.pci}};
    for (const auto& [kind, items] : asked) {
        if (items->empty() || policy.request_annotations.contains(kind))
            continue;
        std::vector<std::string> honoured;
        for (const auto& k : policy.request_annotations)
            honoured.push_back("rdma.netns/" + k);
        fail("requests by annotation rdma.netns/" + std::string(kind) +
                 " are not honoured on this host",
             "the policy in " + source + " honours: " + listing(honoured));
    }
}

void check_cni_request(const Policy& policy, const std::vector<std::string>& parts,
                       const std::string& source)
{
    for (const auto& part : parts) {
        if (policy.cni_requests.contains(part))
            continue;
        auto wider = policy.cni_requests;
        wider.insert(part);
        std::string quoted;
        for (const auto& k : wider)
            quoted.append(quoted.empty() ? "" : ", ").append("\"" + k + "\"");
        const auto file = source.starts_with('/') ? source : std::string(default_config_path);
        fail((part == "podAnnotations"
                  ? std::string("a request in the pod's rdma.netns/ annotations")
                  : "\"" + part + "\" in a network configuration") +
                 " is not honoured on this host",
             "the policy in " + source +
                 " honours: " + listing({policy.cni_requests.begin(), policy.cni_requests.end()}) +
                 "; to honour it, set \"policy\": {\"cni_requests\": [" + quoted + "]} in " + file);
    }
}

bool netdevs_go_along(const Policy& policy, bool config_default, const oci::Request& request,
                      const std::string& source)
{
    if (request.with_netdevs == true && !policy.allow_with_netdevs)
        fail("moving RDMA devices with their netdevs (rdma.netns/with-netdevs) is not allowed "
             "on this host",
             "the policy in " + source + " sets \"allow_with_netdevs\": false; ask without it");
    return policy.allow_with_netdevs && request.with_netdevs.value_or(config_default);
}

void check_devices(const Policy& policy, const std::vector<std::string>& devices,
                   const std::map<std::string, std::string>& pci_addresses,
                   const std::string& source)
{
    for (const auto& name : devices) {
        auto it = pci_addresses.find(name);
        const std::string* pci = it == pci_addresses.end() ? nullptr : &it->second;
        const std::string where = pci ? " (PCI " + *pci + ")" : "";
        if (const auto* rule = matching(policy.deny, name, pci))
            fail("RDMA device " + name + where +
                     " is refused by the policy: it matches the deny "
                     "rule \"" +
                     *rule + "\"",
                 "the policy in " + source + " says which devices containers may have");
        if (policy.allow && matching(*policy.allow, name, pci) == nullptr)
            fail("RDMA device " + name + where +
                     " is refused by the policy: no allow rule matches it (allowed: " +
                     listing(*policy.allow) + ")",
                 "the policy in " + source + " says which devices containers may have");
    }
}

void check_count(const Policy& policy, std::size_t devices, const std::string& source)
{
    if (policy.max_devices && devices > *policy.max_devices)
        fail("the container would hold " + std::to_string(devices) +
                 " RDMA devices; the policy allows at most " + std::to_string(*policy.max_devices),
             "ask for fewer, or raise policy.max_devices in " + source);
}

} // namespace rnh
