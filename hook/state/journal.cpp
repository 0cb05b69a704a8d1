// SPDX-License-Identifier: Apache-2.0
#include "hook/state/journal.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/json.hpp"
#include "oci/state.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <filesystem>
#include <limits>

namespace rnh {
namespace {

constexpr int journal_version = 1;
constexpr std::string_view suffix = ".json";

// A journal is only ever written by the hook, so a value it could not have
// written (above `max`) means the file was damaged or edited: refuse it.
std::uint64_t unsigned_member(const nlohmann::json& obj, const char* key, const std::string& what,
                              std::uint64_t max = UINT64_MAX)
{
    const auto* value = member(obj, key, what);
    if (value == nullptr || !value->is_number_unsigned())
        fail(what + ": \"" + key + "\" must be a non-negative integer");
    const auto number = value->get<std::uint64_t>();
    if (number > max)
        fail(what + ": \"" + key + "\" is " + std::to_string(number) + ", above its limit " +
             std::to_string(max));
    return number;
}

void read_limits(const nlohmann::json& limits, const std::string& what, Assignment& a)
{
    if (member(limits, "memlock", what) != nullptr)
        a.memlock = unsigned_member(limits, "memlock", what);
    if (member(limits, "rdma_cgroup", what) != nullptr)
        a.rdma_cgroup = string_member(limits, "rdma_cgroup", what);
    if (const auto* lines = member(limits, "rdma_max", what)) {
        if (!lines->is_array())
            fail(what + ": \"rdma_max\" must be an array");
        for (const auto& line : *lines) {
            if (!line.is_string())
                fail(what + ": \"rdma_max\" must hold strings");
            a.rdma_max.push_back(line.get<std::string>());
        }
    }
}

bool bool_member(const nlohmann::json& obj, const char* key, const std::string& what)
{
    const auto* value = member(obj, key, what);
    if (value == nullptr || !value->is_boolean())
        fail(what + ": \"" + key + "\" must be true or false");
    return value->get<bool>();
}

std::string optional_string(const nlohmann::json& obj, const char* key, const std::string& what)
{
    return member(obj, key, what) != nullptr ? string_member(obj, key, what) : std::string();
}

nlohmann::json netdev_json(const Netdev& n)
{
    nlohmann::json addresses = nlohmann::json::array();
    for (const auto& a : n.addresses) {
        nlohmann::json address = {{"family", a.family == AF_INET6 ? 6 : 4},
                                  {"local", a.local},
                                  {"prefix", a.prefix},
                                  {"scope", a.scope},
                                  {"flags", a.flags}};
        for (const auto& [key, value] :
             {std::pair{"peer", &a.peer}, {"broadcast", &a.broadcast}, {"label", &a.label}})
            if (!value->empty())
                address[key] = *value;
        addresses.push_back(address);
    }
    nlohmann::json netdev = {{"device", n.device},
                             {"name", n.link.name},
                             {"index", n.link.index},
                             {"mtu", n.link.mtu},
                             {"up", n.link.up},
                             {"parent", n.link.parent},
                             {"permanent_mac", n.link.permanent_mac},
                             {"addresses", addresses}};
    if (n.not_home)
        netdev["not_home"] = true;
    return netdev;
}

Netdev netdev_from_json(const nlohmann::json& j, const std::string& what)
{
    Netdev n;
    n.device = string_member(j, "device", what);
    n.link.name = string_member(j, "name", what);
    n.link.index = static_cast<std::uint32_t>(unsigned_member(j, "index", what, UINT32_MAX));
    n.link.mtu = static_cast<std::uint32_t>(unsigned_member(j, "mtu", what, UINT32_MAX));
    n.link.up = bool_member(j, "up", what);
    n.link.parent = string_member(j, "parent", what);
    n.link.permanent_mac = string_member(j, "permanent_mac", what);
    n.not_home = member(j, "not_home", what) != nullptr && bool_member(j, "not_home", what);
    const auto* addresses = member(j, "addresses", what);
    if (addresses == nullptr || !addresses->is_array())
        fail(what + ": \"addresses\" of netdev " + n.link.name + " must be an array");
    for (const auto& a : *addresses) {
        nl::Address address;
        const auto family = unsigned_member(a, "family", what, 6);
        if (family != 4 && family != 6)
            fail(what + ": an address of netdev " + n.link.name + " has family " +
                 std::to_string(family) + ", not 4 or 6");
        address.family = family == 6 ? AF_INET6 : AF_INET;
        address.local = string_member(a, "local", what);
        address.peer = optional_string(a, "peer", what);
        address.broadcast = optional_string(a, "broadcast", what);
        address.label = optional_string(a, "label", what);
        address.prefix = static_cast<std::uint8_t>(unsigned_member(a, "prefix", what, 128));
        address.scope = static_cast<std::uint8_t>(unsigned_member(a, "scope", what, UINT8_MAX));
        address.flags = static_cast<std::uint32_t>(unsigned_member(a, "flags", what, UINT32_MAX));
        address.index = n.link.index;
        n.addresses.push_back(std::move(address));
    }
    return n;
}

} // namespace

void check_journal_key(const std::string& key)
{
    const auto at = key.find('@');
    if (at == std::string::npos) {
        oci::check_container_id(key);
    } else {
        check_cni_container_id(key.substr(0, at));
        check_cni_ifname(key.substr(at + 1));
    }
}

std::string_view phase_name(Assignment::Phase phase)
{
    return phase == Assignment::Phase::held ? "held" : "moving";
}

std::string to_json(const Assignment& a)
{
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& d : a.devices)
        devices.push_back({{"name", d.name}, {"index", d.index}});
    nlohmann::json doc = {
        {"version", journal_version},
        {"container_id", a.container_id},
        {"phase", phase_name(a.phase)},
        {"netns", {{"dev", a.netns.dev}, {"ino", a.netns.ino}, {"cookie", a.netns.cookie}}},
        {"devices", devices},
        {"since", static_cast<std::int64_t>(a.since)},
    };
    if (a.netns_path)
        doc["netns_path"] = *a.netns_path;
    if (a.pid)
        doc["pid"] = *a.pid;
    if (a.memlock)
        doc["limits"]["memlock"] = *a.memlock;
    if (a.rdma_cgroup)
        doc["limits"]["rdma_cgroup"] = *a.rdma_cgroup;
    if (!a.rdma_max.empty())
        doc["limits"]["rdma_max"] = a.rdma_max;
    if (!a.netdevs.empty()) {
        doc["netdevs"] = nlohmann::json::array();
        for (const auto& n : a.netdevs)
            doc["netdevs"].push_back(netdev_json(n));
    }
    if (a.cni) {
        doc["cni"] = {{"container_id", a.cni->container_id},
                      {"ifname", a.cni->ifname},
                      {"network", a.cni->network}};
        if (!a.cni->pod.empty())
            doc["cni"]["pod"] = a.cni->pod;
        if (!a.cni->config_id.empty())
            doc["cni"]["config_id"] = a.cni->config_id;
    }
    return doc.dump(2) + "\n";
}

Assignment assignment_from_json(std::string_view json, const std::string& what)
{
    auto doc = parse_json(json, what);
    if (unsigned_member(doc, "version", what) != journal_version)
        fail(what + " has an unknown version", "it was written by another release of the hook");
    Assignment a;
    a.container_id = string_member(doc, "container_id", what);
    auto phase = string_member(doc, "phase", what);
    if (phase != "moving" && phase != "held")
        fail(what + ": unknown phase \"" + phase + "\"");
    a.phase = phase == "held" ? Assignment::Phase::held : Assignment::Phase::moving;
    const auto* netns = member(doc, "netns", what);
    if (netns == nullptr)
        fail(what + " has no \"netns\"");
    a.netns = {unsigned_member(*netns, "dev", what), unsigned_member(*netns, "ino", what),
               unsigned_member(*netns, "cookie", what)};
    if (member(doc, "netns_path", what) != nullptr)
        a.netns_path = string_member(doc, "netns_path", what);
    if (member(doc, "pid", what) != nullptr)
        a.pid = static_cast<int>(unsigned_member(doc, "pid", what, INT_MAX));
    a.since = static_cast<std::time_t>(
        unsigned_member(doc, "since", what, std::numeric_limits<std::time_t>::max()));
    if (const auto* cni = member(doc, "cni", what)) {
        a.cni = CniAttachment{string_member(*cni, "container_id", what),
                              string_member(*cni, "ifname", what),
                              string_member(*cni, "network", what), "", ""};
        for (auto [key, field] :
             {std::pair{"pod", &a.cni->pod}, std::pair{"config_id", &a.cni->config_id}})
            if (member(*cni, key, what) != nullptr)
                *field = string_member(*cni, key, what);
    }
    const auto* devices = member(doc, "devices", what);
    if (devices == nullptr || !devices->is_array())
        fail(what + ": \"devices\" must be an array");
    for (const auto& d : *devices) {
        auto index = unsigned_member(d, "index", what, UINT32_MAX);
        a.devices.push_back({static_cast<std::uint32_t>(index), string_member(d, "name", what)});
    }
    if (const auto* limits = member(doc, "limits", what))
        read_limits(*limits, what + ": \"limits\"", a);
    if (const auto* netdevs = member(doc, "netdevs", what)) {
        if (!netdevs->is_array())
            fail(what + ": \"netdevs\" must be an array");
        for (const auto& n : *netdevs)
            a.netdevs.push_back(netdev_from_json(n, what));
    }
    return a;
}

Journal::Journal(std::string state_dir) : dir_(std::move(state_dir) + "/containers") {}

void Journal::write(const Assignment& assignment) const
{
    check_journal_key(assignment.container_id);
    make_private_dir(std::filesystem::path(dir_).parent_path(), "the state directory");
    const auto text = to_json(assignment);
    if (text.size() > max_entry_bytes)
        fail("the journal entry of " + assignment.container_id + " would be " +
                 std::to_string(text.size()) + " bytes, over the limit of " +
                 std::to_string(max_entry_bytes),
             "request fewer devices or netdevs");
    make_private_dir(dir_, "the state directory");
    write_file_atomic(dir_ + "/" + assignment.container_id + std::string(suffix), text);
}

std::optional<Assignment> Journal::read(const std::string& container_id) const
{
    check_journal_key(container_id);
    const auto name = container_id + std::string(suffix);
    // No exists() first: a poststop beside us may remove the file between the two.
    std::optional<Fd> fd;
    try {
        fd = open_regular_nofollow(dir_, name);
    } catch (const Error& e) {
        if (e.err() == ENOENT)
            return std::nullopt;
        throw;
    }
    return assignment_from_json(read_limited(fd->get(), max_entry_bytes, dir_ + "/" + name),
                                dir_ + "/" + name);
}

void Journal::remove(const std::string& container_id) const
{
    check_journal_key(container_id);
    const auto path = dir_ + "/" + container_id + std::string(suffix);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        fail_errno("removing " + path);
    sync_dir(dir_);
}

std::vector<Assignment> Journal::all(std::vector<UnreadableEntry>* unreadable) const
{
    std::vector<Assignment> assignments;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
        auto name = entry.path().filename().string();
        if (name.front() == '.' || !name.ends_with(suffix))
            continue;
        try {
            if (auto a = read(name.substr(0, name.size() - suffix.size())))
                assignments.push_back(std::move(*a));
        } catch (const Error& e) {
            if (unreadable != nullptr)
                unreadable->push_back({entry.path().string(), e.what()});
        }
    }
    if (ec && ec != std::errc::no_such_file_or_directory)
        fail_errno(ec.value(), "listing " + dir_);
    std::sort(assignments.begin(), assignments.end(),
              [](const auto& x, const auto& y) { return x.container_id < y.container_id; });
    return assignments;
}

} // namespace rnh
