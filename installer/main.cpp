// SPDX-License-Identifier: Apache-2.0
// rdma-netns-install: puts the CNI plugin, the hook, the runtime wrapper, the
// hooks.d files and containerd's runtime handler "rdma" onto a node, from a
// container that has the node's directories mounted under --host-root (the
// DaemonSet of deploy/), or takes them away again. Linked statically, so that it
// runs in an image made from scratch; what it places needs the node's glibc.
#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/file.hpp"
#include "base/version.hpp"
#include "installer/containerd_block.hpp"
#include "installer/layout.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace {

using rnh::fail;
using rnh::fail_errno;
namespace inst = rnh::installer;

constexpr const char* usage =
    R"(Usage: rdma-netns-install --host-root DIR [--cni-bin-dir D] [--containerd-config F]
                          [--from DIR] [--uninstall]
       rdma-netns-install --pause
       rdma-netns-install --help | --version

Places rdma-netns-hook onto a Kubernetes node whose root directory is at DIR
(the node's directories mounted there, as by deploy/daemonset.yaml):
  D/rdma-netns                                  the CNI plugin
  /opt/rdma-netns/bin/rdma-netns-hook           the OCI hook
  /opt/rdma-netns/bin/rdma-netns-runtime        the runc wrapper
  /etc/containers/oci/hooks.d/rdma-netns-hook-{prestart,poststop}.json
and appends to F a marked block that declares containerd's runtime handler
"rdma" (BinaryName the wrapper, pod_annotations ["rdma.netns/*"]) and declares
runc again, which containerd 1.6 drops once any runtime is declared. Every path
is the node's, under DIR. Each file is written beside its place and renamed
there, so that a plugin or hook started meanwhile runs the old file or the new
one, never a part. Installing again replaces the files and the block.

  --host-root DIR         where the node's root directory is (required)
  --cni-bin-dir D         containerd's CNI plugin directory, which must exist
                          (default: bin_dir of F's CRI plugin, else /opt/cni/bin)
  --containerd-config F   containerd's configuration, of version 2 (containerd
                          1.6, 1.7; default /etc/containerd/config.toml)
  --from DIR              where the programs to place are (default: beside this one)
  --uninstall             remove the files and the block: F is again byte for
                          byte what it was before the block went in
  --pause                 wait for SIGTERM or SIGINT, then exit 0 (the DaemonSet's
                          container after the installing init container)

Restart containerd afterwards for the handler to be loaded. The CDI spec is not
placed: `rdma-netns-hook cdi generate` writes it on the node, from its devices.

Only this installer is static. What it places links glibc (2.36 or later)
and libmnl dynamically: the node needs them, as Debian 12's libc6 and
libmnl0 (or Ubuntu 22.10 or later) give them.
)";

struct Options {
    std::string host_root;
    std::optional<std::string> cni_bin_dir;
    std::string containerd_config{inst::default_containerd_config};
    std::optional<std::string> from;
    bool uninstall = false;
    bool pause = false;
};

std::string self_dir()
{
    std::string path(PATH_MAX, '\0');
    const auto n = ::readlink("/proc/self/exe", path.data(), path.size());
    if (n < 0)
        fail_errno("finding this program (/proc/self/exe)", "is /proc mounted? or name --from");
    path.resize(static_cast<std::size_t>(n));
    return path.substr(0, path.rfind('/'));
}

Options parse(int argc, char** argv)
{
    Options o;
    bool root_given = false;
    const std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= args.size())
                fail(a + " needs a value", "see rdma-netns-install --help");
            return args[++i];
        };
        auto node_path = [&]() {
            auto v = value();
            if (v.empty() || v.front() != '/')
                fail(a + " " + v + ": not an absolute path",
                     "name the path as the node sees it (it is taken under --host-root)");
            return v;
        };
        if (a == "--help" || a == "-h") {
            std::fputs(usage, stdout);
            std::exit(0);
        } else if (a == "--version") {
            std::fputs(rnh::version_text("rdma-netns-install").c_str(), stdout);
            std::exit(0);
        } else if (a == "--host-root") {
            o.host_root = value();
            root_given = true;
        } else if (a == "--cni-bin-dir") {
            o.cni_bin_dir = node_path();
        } else if (a == "--containerd-config") {
            o.containerd_config = node_path();
        } else if (a == "--from") {
            o.from = value();
        } else if (a == "--uninstall") {
            o.uninstall = true;
        } else if (a == "--pause") {
            o.pause = true;
        } else {
            fail("unknown argument \"" + a + "\"", "see rdma-netns-install --help");
        }
    }
    if (!o.pause && !root_given)
        fail("--host-root is missing",
             "name the directory where the node's root is mounted (/ on the node itself)");
    return o;
}

// The node's `path` (absolute) under the host root.
struct Node {
    std::string root; // no trailing slash; empty for "/"

    std::string operator()(std::string_view path) const { return root + std::string(path); }
};

Node host_root(const std::string& dir)
{
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
        fail_errno("the host root " + dir,
                   "--host-root names the directory where the node's root is mounted");
    if (!S_ISDIR(st.st_mode))
        fail("the host root " + dir + " is not a directory",
             "--host-root names the directory where the node's root is mounted");
    auto root = dir;
    while (!root.empty() && root.back() == '/')
        root.pop_back();
    return {root};
}

void require_dir(const std::string& path, const std::string& what, const std::string& hint)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        fail_errno(what + " " + path, hint);
    if (!S_ISDIR(st.st_mode))
        fail(what + " " + path + " is not a directory", hint);
}

// mkdir -p, mode 0755 for what it creates.
void make_dirs(const std::string& path)
{
    for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
        const auto part = path.substr(0, slash);
        if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST)
            fail_errno("creating the directory " + part,
                       "the host root must be writable (a privileged container, hostPath volumes)");
        if (slash == std::string::npos)
            break;
    }
    require_dir(path, "the directory", "remove what is in its place");
}

struct Config {
    std::string path;
    std::string text;
    struct stat st {};
};

Config read_config(const std::string& path)
{
    Config c{path, {}, {}};
    if (::lstat(path.c_str(), &c.st) != 0)
        fail_errno(
            "containerd's configuration " + path,
            "name it with --containerd-config, or write one with `containerd config default`");
    if (S_ISLNK(c.st.st_mode))
        fail("containerd's configuration " + path + " is a symbolic link",
             "name the file it points to with --containerd-config");
    c.text = rnh::read_file(path, 16U << 20U);
    return c;
}

void write_config(const Config& c, const std::string& text)
{
    if (text != c.text)
        rnh::write_file_atomic(c.path, text, c.st.st_mode & 07777,
                               rnh::FileOwner{c.st.st_uid, c.st.st_gid});
}

struct Placed {
    std::string from; // a program's name beside this one; empty for a hooks.d file
    std::string to;   // the node's path
    std::string text; // a hooks.d file's text
};

std::vector<Placed> layout(const std::string& cni_bin_dir)
{
    const std::string bin(inst::bin_dir);
    const std::string hook = bin + "/rdma-netns-hook";
    std::vector<Placed> files = {
        {"rdma-netns-hook", hook, {}},
        {"rdma-netns-runtime", bin + "/rdma-netns-runtime", {}},
        {"rdma-netns", cni_bin_dir + "/rdma-netns", {}},
    };
    for (const char* stage : {"prestart", "poststop"})
        files.push_back({{},
                         std::string(inst::hooks_d_dir) + "/rdma-netns-hook-" + stage + ".json",
                         inst::hooks_d_file(stage, hook)});
    return files;
}

std::string cni_dir(const Options& o, const Config& config)
{
    if (o.cni_bin_dir)
        return *o.cni_bin_dir;
    auto dir = inst::cni_bin_dir(config.text);
    if (dir && !dir->empty() && dir->front() == '/')
        return *dir;
    return std::string(inst::default_cni_bin_dir);
}

void install(const Options& o, const Node& node)
{
    auto config = read_config(node(o.containerd_config));
    const auto cni = cni_dir(o, config);
    require_dir(node(cni), "containerd's CNI plugin directory",
                "mount the node's " + cni +
                    " there (a hostPath volume), or name another with "
                    "--cni-bin-dir");
    std::string text;
    try {
        text = inst::with_block(config.text, std::string(inst::bin_dir) + "/rdma-netns-runtime");
    } catch (const rnh::Error& e) {
        throw e.wrap("containerd's configuration " + config.path);
    }
    const auto from = o.from ? *o.from : self_dir();
    // Read everything first: a missing program stops the install before any write.
    auto files = layout(cni);
    for (auto& f : files)
        if (!f.from.empty() && ::access((from + "/" + f.from).c_str(), R_OK) != 0)
            fail_errno("the program to place " + from + "/" + f.from,
                       "the installer image holds it beside the installer; name the directory "
                       "that holds rdma-netns, rdma-netns-hook and rdma-netns-runtime with --from");
    for (auto& f : files)
        if (!f.from.empty())
            f.text = rnh::read_file(from + "/" + f.from, 256U << 20U);
    for (const auto& f : files) {
        const auto to = node(f.to);
        make_dirs(to.substr(0, to.rfind('/')));
        rnh::write_file_atomic(to, f.text, f.from.empty() ? 0644 : 0755);
        std::printf("rdma-netns-install: placed %s\n", f.to.c_str());
    }
    write_config(config, text);
    std::printf("rdma-netns-install: the runtime handler \"rdma\" is in %s; restart containerd to "
                "load it\n",
                o.containerd_config.c_str());
}

void uninstall(const Options& o, const Node& node)
{
    auto config = read_config(node(o.containerd_config));
    try {
        write_config(config, inst::without_block(config.text));
    } catch (const rnh::Error& e) {
        throw e.wrap("containerd's configuration " + config.path);
    }
    for (const auto& f : layout(cni_dir(o, config))) {
        const auto to = node(f.to);
        if (::unlink(to.c_str()) != 0 && errno != ENOENT)
            fail_errno("removing " + to);
    }
    // Only when empty: what else is there is not ours.
    ::rmdir(node(inst::bin_dir).c_str());
    std::printf("rdma-netns-install: removed; restart containerd to drop the runtime handler\n");
}

int pause_until_signal()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    int sig = 0;
    sigwait(&set, &sig);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        const auto o = parse(argc, argv);
        if (o.pause)
            return pause_until_signal();
        const auto node = host_root(o.host_root);
        if (o.uninstall)
            uninstall(o, node);
        else
            install(o, node);
        return 0;
    } catch (...) {
        std::fprintf(stderr, "rdma-netns-install: %s\n", rnh::current_error().what());
        return 1;
    }
}
