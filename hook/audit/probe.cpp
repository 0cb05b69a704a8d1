// SPDX-License-Identifier: Apache-2.0
#include "hook/audit/probe.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/json.hpp"
#include "hook/kernel/gid_table.hpp"
#include "hook/plan/device_list.hpp"
#include "hook/plan/roce_gid.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <tuple>

namespace rnh {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t report_max_bytes = 1 << 20;

// --- inside the probe process, which has joined the target's namespaces

std::vector<std::string> list_sysfs_class(const std::string& dir)
{
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// The target's /sys when it has a mount namespace: its runtime mounted that
// sysfs from inside its network namespace, so the netns-tagged infiniband
// class shows what the target's own processes see. A bare namespace has no
// /sys of its own: mount a fresh one, in a private mount namespace of this
// process only, as `ip netns exec` does.
void probe_sysfs(AuditView& view, bool own_mount_ns)
{
    const std::string dir = "/sys/class/infiniband";
    if (!own_mount_ns) {
        if (::unshare(CLONE_NEWNS) != 0 ||
            ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            ::mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    nullptr) != 0) {
            view.sysfs_source = std::string("not checked: mounting a sysfs inside the namespace "
                                            "failed: ") +
                                std::strerror(errno);
            return;
        }
        view.sysfs_source = "a sysfs mounted inside the namespace (a namespace path has no /sys "
                            "of its own)";
    } else {
        view.sysfs_source = "the target's own /sys";
    }
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        view.sysfs_source = "not checked: the target has no " + dir + " (no sysfs mounted)";
        return;
    }
    view.sysfs = list_sysfs_class(dir);
}

// Verbs nodes first, then MAD nodes by port, umad before issm; numbers in
// numeric order (uverbs2 before uverbs10).
bool node_order(const NodeProbe& a, const NodeProbe& b)
{
    auto key = [](const std::string& node) {
        const auto digits = node.find_first_of("0123456789");
        const auto prefix = node.substr(0, digits);
        const int rank = prefix == "uverbs" ? 0 : prefix == "umad" ? 1 : 2;
        return std::tuple(rank == 0 ? 0 : 1, std::stoul(node.substr(digits)), rank);
    };
    return key(a.node) < key(b.node);
}

// Tries open() on every uverbs, umad and issm node of the target's
// /dev/infiniband, and on rdma_cm. Only character devices count: the
// directory belongs to the target, so links and other files are skipped, and
// the node is checked again once open. O_NONBLOCK makes an issm node whose SM
// semaphore is held answer EAGAIN instead of waiting.
void probe_nodes(AuditView& view, const NodeDevices& devices)
{
    const std::string dir = "/dev/infiniband";
    Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd && errno == ENOENT)
        return;
    if (!dirfd)
        fail_errno("opening the target's " + dir);
    // List the directory that was opened, not the path again.
    Fd copy(::fcntl(dirfd.get(), F_DUPFD_CLOEXEC, 0));
    std::unique_ptr<DIR, int (*)(DIR*)> entries(copy ? ::fdopendir(copy.get()) : nullptr,
                                                ::closedir);
    if (!entries)
        fail_errno("listing the target's " + dir);
    copy.release(); // the DIR owns it now
    while (const auto* entry = ::readdir(entries.get())) {
        const std::string name = entry->d_name;
        if (name != "rdma_cm" && node_kind(name).empty())
            continue;
        struct stat before {};
        if (::fstatat(dirfd.get(), name.c_str(), &before, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISCHR(before.st_mode))
            continue;
        Fd fd(::openat(dirfd.get(), name.c_str(),
                       O_RDWR | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC));
        const int error = fd ? 0 : errno;
        struct stat after {};
        if (fd && (::fstat(fd.get(), &after) != 0 || !S_ISCHR(after.st_mode) ||
                   after.st_rdev != before.st_rdev))
            continue; // replaced while being looked at
        if (name == "rdma_cm") {
            view.rdma_cm = error;
            continue;
        }
        auto device = devices.find(before.st_rdev);
        view.nodes.push_back({name, device == devices.end() ? "" : device->second, error});
    }
    std::sort(view.nodes.begin(), view.nodes.end(), node_order);
}

// A device's ports, numbered: a port dump lists them in order from port 1
// (rdma_for_each_port() in nldev_port_get_dumpit(); port 0 is a switch's,
// which has no netdev).
std::vector<std::pair<std::uint32_t, nl::Port>> numbered_ports(nl::Socket& socket,
                                                               const nl::Device& device)
{
    std::vector<std::pair<std::uint32_t, nl::Port>> ports;
    for (auto& port : nl::dump_ports(socket, device.index))
        ports.emplace_back(static_cast<std::uint32_t>(ports.size() + 1), std::move(port));
    return ports;
}

// Attribute `attr` of a port in sysfs (class/infiniband/DEV/ports/N/ATTR);
// empty when it cannot be read, as gid_attrs/ndevs/N of a GID with no netdev.
std::string port_attr(const std::string& sysfs_root, const std::string& device, std::uint32_t port,
                      const std::string& attr)
{
    return read_first_line(fs::path(sysfs_root) / "class/infiniband" / device / "ports" /
                           std::to_string(port) / attr);
}

// The ports of the devices listed inside, with their netdevs: RDMA netlink
// names a port's netdev only when it is in the socket's namespace
// (fill_port_info() in nldev.c); sysfs names GID 0's netdev wherever it is.
void probe_ports(AuditView& view, nl::Socket& socket, const std::vector<nl::Device>& devices)
{
    for (const auto& device : devices)
        for (const auto& [number, port] : numbered_ports(socket, device)) {
            PortView seen{device.name, number, port.ndev_name, {}, {}};
            if (view.sysfs) {
                seen.gid_netdev = read_gid_entry("/sys", device.name, number, 0).netdev;
                seen.link_layer = port_attr("/sys", device.name, number, "link_layer");
            }
            view.ports.push_back(std::move(seen));
        }
}

// The MAC of an Ethernet netdev of this network namespace; empty otherwise.
std::string mac_of(int sock, const std::string& name)
{
    ifreq req{};
    if (name.size() >= sizeof req.ifr_name)
        return {};
    name.copy(req.ifr_name, name.size());
    if (::ioctl(sock, SIOCGIFHWADDR, &req) != 0 || req.ifr_hwaddr.sa_family != ARPHRD_ETHER)
        return {};
    std::array<unsigned char, 6> mac{};
    std::memcpy(mac.data(), req.ifr_hwaddr.sa_data, mac.size());
    return mac_text(mac);
}

// Every netdev of this network namespace (if_nameindex() asks route netlink
// in the caller's namespace).
std::vector<NetdevView> netdevs_here()
{
    std::unique_ptr<struct if_nameindex, void (*)(struct if_nameindex*)> list(::if_nameindex(),
                                                                              ::if_freenameindex);
    if (!list)
        fail_errno("listing the network devices");
    Fd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock)
        fail_errno("opening a socket to read the network devices' addresses");
    std::vector<NetdevView> netdevs;
    for (const auto* i = list.get(); i->if_index != 0; ++i)
        netdevs.push_back({i->if_name, mac_of(sock.get(), i->if_name)});
    std::sort(netdevs.begin(), netdevs.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return netdevs;
}

AuditView probe_inside(const TargetNamespaces& target, const NodeDevices& devices,
                       const RdmaSession& session)
{
    enter_netns(target.net.fd.get());
    if (target.mnt && ::setns(target.mnt.get(), CLONE_NEWNS) != 0)
        fail_errno("entering the target's mount namespace",
                   "audit needs CAP_SYS_ADMIN in the host: run it as root");
    AuditView view;
    auto socket = session.open();
    const auto listed = nl::dump_devices(socket);
    view.netlink = names_of(listed);
    std::sort(view.netlink.begin(), view.netlink.end());
    probe_sysfs(view, static_cast<bool>(target.mnt));
    probe_nodes(view, devices);
    probe_ports(view, socket, listed);
    view.netdevs = netdevs_here();
    return view;
}

std::string error_report(const Error& e)
{
    nlohmann::json doc = {
        {"error", {{"what", e.context()}, {"errno", e.err()}, {"hint", e.hint()}}}};
    return doc.dump();
}

void write_report(int fd, const std::string& report)
{
    std::string_view rest = report;
    while (!rest.empty()) {
        ssize_t n = ::write(fd, rest.data(), rest.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
}

int reap(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

} // namespace

NodeDevices read_node_devices(const std::string& sysfs_root)
{
    NodeDevices devices;
    for (const char* cls : {"class/infiniband_verbs", "class/infiniband_mad"}) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(fs::path(sysfs_root) / cls, ec)) {
            if (node_kind(entry.path().filename().string()).empty())
                continue;
            const auto dev = read_first_line(entry.path() / "dev"); // "major:minor"
            const auto ibdev = read_first_line(entry.path() / "ibdev");
            unsigned major_no = 0, minor_no = 0;
            const char* end = dev.data() + dev.size();
            auto [colon, ec1] = std::from_chars(dev.data(), end, major_no);
            if (ec1 != std::errc() || colon == end || *colon != ':')
                continue;
            auto [rest, ec2] = std::from_chars(colon + 1, end, minor_no);
            if (ec2 == std::errc() && rest == end && !ibdev.empty())
                devices[makedev(major_no, minor_no)] = ibdev;
        }
    }
    return devices;
}

std::vector<HostPort> host_ports_elsewhere(nl::Socket& host, const std::string& sysfs_root)
{
    std::vector<HostPort> found;
    for (const auto& device : nl::dump_devices(host))
        for (const auto& [number, port] : numbered_ports(host, device)) {
            if (!port.ndev_name.empty())
                continue;
            auto gid = read_gid_entry(sysfs_root, device.name, number, 0);
            if (!gid.netdev.empty())
                found.push_back(
                    {device.name, number, std::move(gid.netdev), mac_of_default_gid(gid.gid)});
        }
    return found;
}

std::vector<std::string> host_netdev_names()
{
    std::vector<std::string> names;
    for (auto& netdev : netdevs_here())
        names.push_back(std::move(netdev.name));
    return names;
}

AuditView probe(const TargetNamespaces& target, const NodeDevices& devices,
                const RdmaSession& session)
{
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0)
        fail_errno("creating a pipe for the audit's probe process");
    Fd read_end(ends[0]);
    Fd write_end(ends[1]);
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child < 0)
        fail_errno("starting the audit's probe process");
    if (child == 0) {
        read_end.reset();
        std::string report;
        try {
            report = view_to_json(probe_inside(target, devices, session));
        } catch (...) {
            report = error_report(current_error());
        }
        write_report(write_end.get(), report);
        ::_exit(0);
    }
    write_end.reset();
    const std::string what = "the report of the audit's probe process";
    std::string text;
    try {
        text = read_limited(read_end.get(), report_max_bytes, what);
    } catch (const Error&) {
        read_end.reset();
        reap(child);
        throw;
    }
    const int status = reap(child);
    if (text.empty() || status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("the audit's probe process ended without a report (wait status " +
             std::to_string(status) + ")");
    auto doc = parse_json(text, what);
    if (const auto* error = member(doc, "error", what)) {
        const auto* err = member(*error, "errno", what);
        throw Error(string_member(*error, "what", what),
                    err != nullptr && err->is_number_integer() ? err->get<int>() : 0,
                    string_member(*error, "hint", what));
    }
    return view_from_json(text, what);
}

} // namespace rnh
