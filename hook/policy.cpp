#include "hook/policy.hpp"

#include "base/error.hpp"
#include "base/json.hpp"
#include "hook/devices.hpp"

#include <fnmatch.h>

#include <algorithm>

namespace rnh {
namespace {

const std::vector<std::string> kinds = {"devices", "netdevs", "pci"};

std::vector<std::string> patterns(const nlohmann::json& policy, const char* key,
                                  const std::string& what)
{
    const auto* list = member(policy, key, what);
    if (list == nullptr)
        return {};
    if (!list->is_array())
        fail(what + ": \"policy." + key + "\" must be an array of names or globs");
    std::vector<std::string> out;
    for (const auto& item : *list) {
        if (!item.is_string() || item.get<std::string>().empty())
            fail(what + ": \"policy." + key + "\" holds something that is not a name or glob",
                 "write device names, globs such as \"mlx5_*\", or PCI addresses");
        out.push_back(item.get<std::string>());
    }
    return out;
}

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

Policy parse_policy(const nlohmann::json& object, const std::string& what)
{
    if (!object.is_object())
        fail(what + ": \"policy\" must be an object");
    Policy policy;
    for (const auto& [key, value] : object.items()) {
        if (key == "allow") {
            policy.allow = patterns(object, "allow", what);
        } else if (key == "deny") {
            policy.deny = patterns(object, "deny", what);
        } else if (key == "max_devices") {
            if (!value.is_number_unsigned() || value.get<std::size_t>() == 0)
                fail(what + ": \"policy.max_devices\" must be a whole number above 0");
            policy.max_devices = value.get<std::size_t>();
        } else if (key == "request_annotations") {
            policy.request_annotations.clear();
            for (const auto& kind : patterns(object, "request_annotations", what)) {
                if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
                    fail(what + ": \"policy.request_annotations\" names \"" + kind + "\"",
                         "the kinds are devices, netdevs and pci");
                policy.request_annotations.insert(kind);
            }
        } else {
            fail(what + ": unknown policy setting \"" + key + "\"",
                 "known: allow, deny, max_devices, request_annotations");
        }
    }
    return policy;
}

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
