// SPDX-License-Identifier: Apache-2.0
#include "cni/netconf.hpp"

#include "base/error.hpp"
#include "base/escape.hpp"
#include "base/json.hpp"
#include "hook/plan/cni_attachment.hpp"
#include "hook/plan/device_list.hpp"
#include "oci/annotations.hpp"

#include <algorithm>
#include <cctype>

namespace rnh::cni {
namespace {

const std::string what = "the network configuration";

// The longest device name (IB_DEVICE_NAME_MAX, 64 with the NUL) and
// auxiliary device name this plugin takes.
constexpr std::size_t max_name_bytes = 64;
// A DNS name's length: what Kubernetes allows for a NetworkAttachmentDefinition.
constexpr std::size_t max_network_name_bytes = 253;

// The network's name goes into the journal and every message: bounded, and
// text a terminal and the system log show as it is.
void check_network_name(const std::string& name)
{
    if (name.empty() || name.size() > max_network_name_bytes || !printable_utf8(name))
        fail("\"name\" of " + what + " (\"" + escaped(name) + "\", " + std::to_string(name.size()) +
                 " bytes) is not a valid network name",
             "names are 1 to " + std::to_string(max_network_name_bytes) +
                 " bytes of printable UTF-8, without control characters");
}

using ListParser = std::vector<std::string> (*)(std::string_view, const std::string&);

// A list key: a JSON array of strings, or one string in the annotations'
// syntax. The array goes through the same parser as the string, so both have
// its cap (oci::max_list_items) and its duplicate merging.
std::vector<std::string> list_member(const nlohmann::json& conf, const char* key, ListParser parse)
{
    const auto* value = member(conf, key, what);
    if (value == nullptr)
        return {};
    std::string source = "\"";
    source.append(key).append("\" of ").append(what);
    if (value->is_string())
        return parse(value->get<std::string>(), source);
    if (!value->is_array())
        fail(source + " must be an array of strings",
             "e.g. " + source.substr(0, source.find(' ')) + ": [\"NAME\"]");
    if (value->size() > oci::max_list_items)
        fail(source + " lists more than " + std::to_string(oci::max_list_items) + " items",
             "request only the devices this container needs");
    if (value->empty())
        return {};
    std::string joined;
    for (const auto& item : *value) {
        if (!item.is_string())
            fail(source + " must be an array of strings, not " + escaped(item.dump()));
        if (&item != &value->front())
            joined.push_back(',');
        joined.append(item.get_ref<const std::string&>());
    }
    return parse(joined, source);
}

// "deviceID", at the top (rdma-cni, Multus) or in runtimeConfig (capability
// "deviceID"): both, if given, must say the same.
std::optional<std::string> device_id(const nlohmann::json& conf)
{
    std::optional<std::string> top;
    std::optional<std::string> runtime;
    if (member(conf, "deviceID", what) != nullptr)
        top = string_member(conf, "deviceID", what);
    if (const auto* rc = member(conf, "runtimeConfig", what);
        rc != nullptr && member(*rc, "deviceID", what) != nullptr)
        runtime = string_member(*rc, "deviceID", what + " (runtimeConfig)");
    if (top && runtime && *top != *runtime)
        fail("\"deviceID\" " + escaped(*top) + " and \"runtimeConfig.deviceID\" " +
                 escaped(*runtime) + " disagree",
             "give one device, in either key");
    return top ? top : runtime;
}

bool aux_device_name(std::string_view name)
{
    return !name.empty() && name.size() <= max_name_bytes && name.front() != '.' &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
                      c == '-';
           });
}

void add_device_id(NetConf& conf, const std::string& id)
{
    auto& pci = conf.request.pci;
    const bool lists = !conf.request.empty();
    if (auto address = oci::normal_pci_address(id)) {
        if (lists && std::find(pci.begin(), pci.end(), *address) == pci.end())
            fail("\"deviceID\" " + *address + " is not in the \"pci\" list of " + what +
                     ", so the two disagree",
                 "name the device once: in \"deviceID\", or in the lists");
        for (const auto& other : pci)
            if (other != *address)
                fail("\"pci\" of " + what + " names " + other +
                         ", outside the device plugin's allocation (\"deviceID\" " + *address + ")",
                     "a list may only narrow \"deviceID\", never widen it");
        if (!lists)
            pci.push_back(*address);
        conf.allocation = *address;
        return;
    }
    if (!aux_device_name(id))
        fail("\"deviceID\" \"" + escaped(id) +
                 "\" is neither a PCI address nor an auxiliary device name",
             "give the PCI address (e.g. 0000:3b:00.2) or the auxiliary device (e.g. "
             "mlx5_core.sf.2, at most 64 bytes) that the device plugin allocated");
    if (lists)
        fail("\"deviceID\" " + id + " (an auxiliary device) and the lists of " + what +
                 " both name devices",
             "name the device once: in \"deviceID\", or in the lists");
    conf.aux_device = id;
}

// The pod's annotations, which containerd passes to a plugin that declares the
// capability. Only the requests are read: a pod's network namespace has no
// process, so rdma.netns/memlock is the runtime route's (rdma-netns-runtime).
// The pod's annotations when the network declares the capability; containerd
// passes null for a pod without any.
std::optional<nlohmann::json> pod_annotations(const nlohmann::json& conf)
{
    const auto* rc = member(conf, "runtimeConfig", what);
    if (rc == nullptr || !rc->contains(pod_annotations_capability))
        return std::nullopt;
    return rc->at(pod_annotations_capability);
}

std::optional<oci::Request> pod_request(const nlohmann::json& object)
{
    if (object.is_null())
        return std::nullopt;
    const auto all = oci::parse_annotations(
        object, "\"runtimeConfig." + std::string(pod_annotations_capability) + "\" of " + what);
    oci::Annotations asked;
    for (const auto key : {oci::annotation_devices, oci::annotation_netdevs, oci::annotation_pci,
                           oci::annotation_with_netdevs})
        if (auto it = all.find(std::string(key)); it != all.end())
            asked.insert(*it);
    if (asked.empty())
        return std::nullopt;
    try {
        return oci::request_from_annotations(asked);
    } catch (const Error& e) {
        throw e.wrap("the pod's annotations");
    }
}

// The pod's annotations ask in place of the configuration's lists, or only
// say whether the netdevs go along.
void add_pod_request(NetConf& conf, const oci::Request& pod)
{
    if (!pod.empty() && !conf.parts.empty())
        fail("both the network configuration (" + listing(conf.parts) +
                 ") and the pod's annotations name devices",
             "name them in one place: remove the rdma.netns/ annotations of the pod, or the "
             "lists of the configuration");
    if (!pod.empty()) {
        conf.request.devices = pod.devices;
        conf.request.netdevs = pod.netdevs;
        conf.request.pci = pod.pci;
    }
    conf.request.with_netdevs = pod.with_netdevs;
    conf.by_pod_annotations = true;
    conf.parts.emplace_back("podAnnotations");
}

bool debug_flag(const nlohmann::json& conf)
{
    const auto* args = member(conf, "args", what);
    const auto* cni = args != nullptr ? member(*args, "cni", what) : nullptr;
    const auto* debug = cni != nullptr ? member(*cni, "debug", what) : nullptr;
    if (debug == nullptr)
        return false;
    if (!debug->is_boolean())
        fail("\"args.cni.debug\" of " + what + " must be true or false");
    return debug->get<bool>();
}

std::optional<std::vector<ValidAttachment>> valid_attachments(const nlohmann::json& conf)
{
    const auto* list = member(conf, "cni.dev/valid-attachments", what);
    if (list == nullptr)
        return std::nullopt;
    std::vector<ValidAttachment> valid;
    if (!list->is_array())
        fail("\"cni.dev/valid-attachments\" of " + what + " must be an array");
    for (const auto& item : *list)
        valid.push_back({string_member(item, "containerID", "an item of cni.dev/valid-attachments"),
                         string_member(item, "ifname", "an item of cni.dev/valid-attachments")});
    return valid;
}

} // namespace

std::string check_version(const nlohmann::json& conf)
{
    if (!conf.is_object())
        fail(what + " is not a JSON object");
    auto version = string_member(conf, "cniVersion", what);
    for (const auto supported : supported_versions)
        if (version == supported)
            return version;
    fail("cniVersion \"" + escaped(version) + "\" is not supported by rdma-netns",
         "use one of 0.3.1, 0.4.0, 1.0.0, 1.1.0");
}

NetConf parse_netconf(const nlohmann::json& conf)
{
    NetConf nc;
    nc.cni_version = check_version(conf);
    nc.name = string_member(conf, "name", what);
    check_network_name(nc.name);
    nc.request.devices = list_member(conf, "devices", oci::parse_device_list);
    nc.request.netdevs = list_member(conf, "netdevs", oci::parse_netdev_list);
    nc.request.pci = list_member(conf, "pci", oci::parse_pci_list);
    const std::pair<const char*, const std::vector<std::string>*> lists[] = {
        {"devices", &nc.request.devices},
        {"netdevs", &nc.request.netdevs},
        {"pci", &nc.request.pci}};
    for (const auto& [key, items] : lists)
        if (!items->empty())
            nc.parts.emplace_back(key);
    if (auto id = device_id(conf)) {
        nc.parts.emplace_back("deviceID");
        add_device_id(nc, *id);
    }
    if (const auto annotations = pod_annotations(conf)) {
        nc.takes_pod_annotations = true;
        if (auto pod = pod_request(*annotations))
            add_pod_request(nc, *pod);
    }
    nc.debug = debug_flag(conf);
    if (const auto* prev = member(conf, "prevResult", what)) {
        if (!prev->is_object())
            fail("\"prevResult\" of " + what + " must be an object");
        nc.prev_result = *prev;
    }
    nc.valid_attachments = valid_attachments(conf);
    auto own = conf;
    for (const char* injected : {"cniVersion", "prevResult", "runtimeConfig", "args", "deviceID",
                                 "cni.dev/valid-attachments"})
        own.erase(injected);
    nc.config_id = config_identity(own.dump()); // nlohmann::json sorts an object's keys
    return nc;
}

SandboxInterface sandbox_interface(const nlohmann::json& prev_result)
{
    const std::string where = "the previous plugin's result (prevResult)";
    std::vector<SandboxInterface> found;
    if (const auto* interfaces = member(prev_result, "interfaces", where)) {
        if (!interfaces->is_array())
            fail("\"interfaces\" of " + where + " must be an array");
        for (const auto& i : *interfaces) {
            const auto* sandbox = member(i, "sandbox", where);
            if (sandbox == nullptr || !sandbox->is_string() || sandbox->get<std::string>().empty())
                continue;
            SandboxInterface s{string_member(i, "name", where), {}};
            if (s.name.empty() || s.name.size() >= 16 || !printable_utf8(s.name))
                fail("interface \"" + escaped(s.name) + "\" of " + where +
                     " is not a valid interface name");
            if (member(i, "mac", where) != nullptr)
                s.mac = string_member(i, "mac", where);
            found.push_back(std::move(s));
        }
    }
    if (found.size() != 1)
        fail(where + " has " + std::to_string(found.size()) +
                 " interfaces in the sandbox, so the RDMA device cannot be derived from it",
             "name the device in \"deviceID\", \"devices\", \"netdevs\" or \"pci\"");
    return found.front();
}

} // namespace rnh::cni
