// audit, the part that touches the kernel: open the target's namespaces, fork
// a probe process that joins them and tries every access path, and compare
// what it saw with the journal (audit.cpp decides and renders).
#include "hook/audit.hpp"

#include "base/error.hpp"
#include "base/file.hpp"
#include "base/json.hpp"
#include "hook/commands.hpp"
#include "hook/devices.hpp"
#include "hook/rdma_in.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <tuple>

namespace rnh {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t report_max_bytes = 1 << 20;

// The target's namespaces, held open: its network namespace, and the mount
// namespace of a live process in it, whose /dev and /sys are the target's
// view. A bare namespace path has no mount namespace.
struct Target {
    std::string description;
    Netns net;
    Fd mnt;
};

// The RDMA device behind each character device number, from the host's
// sysfs: class/infiniband_verbs/uverbsN and class/infiniband_mad/{umad,issm}N,
// each with `dev` (major:minor) and `ibdev`. These classes are not
// namespaced, so the host sees the nodes of every device, wherever it is.
using NodeDevices = std::map<dev_t, std::string>;

std::string first_line(const fs::path& file)
{
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

NodeDevices read_node_devices(const std::string& sysfs_root)
{
    NodeDevices devices;
    for (const char* cls : {"class/infiniband_verbs", "class/infiniband_mad"}) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(fs::path(sysfs_root) / cls, ec)) {
            if (node_kind(entry.path().filename().string()).empty())
                continue;
            const auto dev = first_line(entry.path() / "dev"); // "major:minor"
            const auto ibdev = first_line(entry.path() / "ibdev");
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

// Both namespaces of a live process, race-free: the pidfd pins the process
// while they are opened, and a signal 0 through it afterwards fails if the
// pid was reused in between.
Target target_of_pid(pid_t pid, std::string description)
{
    const std::string who = "process " + std::to_string(pid);
    auto pidfd = open_pidfd(pid, who, "give the pid of a process in the container");
    const auto dir = "/proc/" + std::to_string(pid) + "/ns/";
    Target target{std::move(description), {}, {}};
    target.net.fd = open_namespace(dir + "net", CLONE_NEWNET, "the network namespace of " + who);
    target.net.id = netns_identity(target.net.fd.get(), dir + "net");
    target.mnt = open_namespace(dir + "mnt", CLONE_NEWNS, "the mount namespace of " + who);
    require_alive(pidfd.get(), who);
    return target;
}

Target target_of_path(const std::string& path)
{
    Target target{"network namespace " + path, {}, {}};
    target.net.fd = open_namespace(path, CLONE_NEWNET, "the network namespace");
    target.net.id = netns_identity(target.net.fd.get(), path);
    return target;
}

// A container of the journal: through its process when it still runs in the
// recorded namespace, else through the namespace alone (a path or any process
// in it), without its mount namespace.
Target target_of_container(const Journal& journal, const std::string& id,
                           const std::string& state_dir)
{
    auto assignment = journal.read(id);
    if (!assignment)
        fail("no container " + id + " in the journal (" + state_dir + ")",
             "the journal lists only containers that hold RDMA devices; to audit another, give "
             "its pid or its network namespace path");
    if (assignment->pid) {
        try {
            auto target =
                target_of_pid(*assignment->pid, "container " + id + " (pid " +
                                                    std::to_string(*assignment->pid) + ")");
            if (target.net.id == assignment->netns)
                return target;
        } catch (const Error&) {
            // gone, or the pid was reused: look for the namespace itself
        }
    }
    auto ns = find_netns(assignment->netns, assignment->netns_path);
    if (!ns)
        fail("the network namespace of container " + id + " is gone",
             "`rdma-netns-hook recover` returns its devices to the host");
    return {"container " + id + " (its process is gone; its network namespace remains)",
            std::move(*ns), Fd()};
}

Target open_target(const AuditTarget& spec, const Journal& journal, const Config& config)
{
    switch (spec.kind) {
    case AuditTarget::Kind::pid: {
        auto target = target_of_pid(spec.pid, "process " + spec.text);
        for (const auto& a : journal.all())
            if (a.pid == spec.pid && a.netns == target.net.id)
                target.description += " (container " + a.container_id + ")";
        return target;
    }
    case AuditTarget::Kind::netns_path:
        return target_of_path(spec.text);
    case AuditTarget::Kind::container:
        break;
    }
    return target_of_container(journal, spec.text, config.state_dir);
}

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

AuditView probe_inside(const Target& target, const NodeDevices& devices, const Config& config)
{
    enter_netns(target.net.fd.get());
    if (target.mnt && ::setns(target.mnt.get(), CLONE_NEWNS) != 0)
        fail_errno("entering the target's mount namespace",
                   "audit needs CAP_SYS_ADMIN in the host: run it as root");
    AuditView view;
    auto socket = open_rdma(config);
    view.netlink = names_of(nl::dump_devices(socket));
    std::sort(view.netlink.begin(), view.netlink.end());
    probe_sysfs(view, static_cast<bool>(target.mnt));
    probe_nodes(view, devices);
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

// Forks the probe: setns() of a mount namespace needs a single-threaded
// process, and entering the target's namespaces must not change this one's.
// The probe writes its view (or its error) as JSON to a pipe and exits.
AuditView probe(const Target& target, const NodeDevices& devices, const Config& config)
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
            report = view_to_json(probe_inside(target, devices, config));
        } catch (const Error& e) {
            report = error_report(e);
        } catch (const std::exception& e) {
            report = error_report(Error(e.what()));
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

} // namespace

bool run_audit(const Config& config, const std::string& target_text, bool json)
{
    if (::geteuid() != 0)
        fail("audit must run as root: it enters the target's network and mount namespaces and "
             "opens the target's device nodes",
             "run it as root, e.g. with sudo");
    const auto spec = parse_audit_target(target_text);
    const Journal journal(config.state_dir);
    const auto target = open_target(spec, journal, config);
    if (target.net.id == own_netns().id)
        fail(target.description + " is in the host's network namespace, where the host's RDMA "
                                  "devices belong: there is no assignment to audit",
             "audit a container (its pid, its container id, or its network namespace path); "
             "`rdma-netns-hook status` lists the host's devices");

    AuditReport report;
    report.target = target.description;
    report.netns = target.net.id;
    {
        auto host = open_rdma(config);
        report.mode = nl::get_netns_mode(host);
    }
    report.assigned = assigned_to(journal.all(), target.net.id);
    report.view = probe(target, read_node_devices(config.sysfs_root), config);

    const auto breaches = find_breaches(report.mode, report.view, report.assigned);
    const auto text = json ? render_json(report, breaches) : render_table(report, breaches);
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
    for (const auto& line : breaches)
        std::fprintf(stderr, "rdma-netns-hook: %s\n", line.c_str());
    return breaches.empty();
}

} // namespace rnh
