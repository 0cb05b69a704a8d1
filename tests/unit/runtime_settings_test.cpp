// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "runtime/bundle.hpp"
#include "runtime/report.hpp"
#include "runtime/settings.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using namespace rnh::runtime;

namespace {

struct Env {
    std::map<std::string, std::string> vars;
    const char* operator()(const char* name) const
    {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    }
};

FileId id_of(const fs::path& p)
{
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return {st.st_dev, st.st_ino};
}

} // namespace

TEST(RuntimeSettings, Defaults)
{
    auto s = resolve_settings(Env{}, {}, "/usr/bin/rdma-netns-hook");
    EXPECT_EQ(s.runtime, "runc");
    EXPECT_EQ(s.hook_path, "/usr/bin/rdma-netns-hook");
}

TEST(RuntimeSettings, ConfigFileThenEnvironment)
{
    auto file = rnh::parse_config(
        R"({"state_dir":"/run/x","runtime":"/usr/sbin/runc","hook_path":"/opt/bin/rdma-netns-hook"})",
        "config.json");
    auto s = resolve_settings(Env{}, file, "/usr/bin/rdma-netns-hook");
    EXPECT_EQ(s.runtime, "/usr/sbin/runc");
    EXPECT_EQ(s.hook_path, "/opt/bin/rdma-netns-hook");
    s = resolve_settings(Env{{{"RDMA_NETNS_RUNTIME", "crun"}, {"RDMA_NETNS_HOOK", "/h"}}}, file,
                         "/d");
    EXPECT_EQ(s.runtime, "crun");
    EXPECT_EQ(s.hook_path, "/h");
    // Empty variables are unset.
    s = resolve_settings(Env{{{"RDMA_NETNS_RUNTIME", ""}}}, {}, "/d");
    EXPECT_EQ(s.runtime, "runc");
    EXPECT_EQ(rnh::parse_config("{}", "c").runtime, std::nullopt);
}

TEST(RuntimeSettings, BadValuesAreNamed)
{
    EXPECT_EQ(error_of([] {
                  resolve_settings(Env{{{"RDMA_NETNS_RUNTIME", "bin/runc"}}}, {}, "/d");
              }),
              "environment variable RDMA_NETNS_RUNTIME: the runtime \"bin/runc\" is neither a name "
              "nor an "
              "absolute path; name the real OCI runtime, such as runc or /usr/sbin/runc");
    EXPECT_EQ(
        error_of([] {
            resolve_settings(Env{{{"RDMA_NETNS_HOOK", "hook"}}}, {}, "/d");
        }),
        "environment variable RDMA_NETNS_HOOK: the hook's path \"hook\" is not absolute; name the "
        "installed rdma-netns-hook, such as /usr/bin/rdma-netns-hook");
    EXPECT_EQ(error_of([] { rnh::parse_config(R"({"runtime":1})", "/etc/x.json"); }),
              "/etc/x.json: \"runtime\" must be a string, not number");
    EXPECT_EQ(
        error_of([] { rnh::parse_config(R"({"hook_path":""})", "/etc/x.json"); }),
        "/etc/x.json: \"hook_path\": the hook's path \"\" is not absolute; name the installed "
        "rdma-netns-hook, such as /usr/bin/rdma-netns-hook");
    EXPECT_NE(error_of([] {
                  rnh::parse_config("{", "/etc/x.json");
              }).find("/etc/x.json is not valid JSON"),
              std::string::npos);
}

TEST(RuntimeSettings, TheHookBesideTheWrapperWinsOverTheBuiltInPath)
{
    TempDir bin;
    const auto self = (bin.path / "rdma-netns-runtime").string();
    EXPECT_EQ(default_hook_path(self, "/usr/bin/rdma-netns-hook"), "/usr/bin/rdma-netns-hook");
    bin.write("rdma-netns-hook", "not executable", fs::perms(0644));
    EXPECT_EQ(default_hook_path(self, "/usr/bin/rdma-netns-hook"), "/usr/bin/rdma-netns-hook");
    const auto hook = bin.write("rdma-netns-hook", "#!/bin/sh\n");
    EXPECT_EQ(default_hook_path(self, "/usr/bin/rdma-netns-hook"), hook.string());
    EXPECT_EQ(default_hook_path("rdma-netns-runtime", "/d"), "/d");
}

TEST(RuntimeSettings, AMissingHookIsRefusedBeforeTheRuntimeRuns)
{
    TempDir bin;
    const auto hook = bin.write("rdma-netns-hook", "#!/bin/sh\n");
    EXPECT_EQ(error_of([&] { check_hook_exists(hook.string()); }), "no error");
    const auto missing = (bin.path / "gone").string();
    EXPECT_EQ(error_of([&] { check_hook_exists(missing); }),
              "the hook to add to the container, " + missing +
                  ", is not an executable file; install rdma-netns-hook beside "
                  "rdma-netns-runtime or at that path, or name it with RDMA_NETNS_HOOK or "
                  "\"hook_path\" in the config file");
}

TEST(RuntimeSettings, FindRuntimeOnPathSkippingItself)
{
    TempDir a, b;
    auto self = a.write("runc", "#!/bin/sh\n");
    auto real = b.write("runc", "#!/bin/sh\n");
    a.write("crun", "not executable", fs::perms(0644));
    const std::string path = a.path.string() + "::" + b.path.string();
    EXPECT_EQ(find_runtime("runc", path, id_of(self)), real.string());
    EXPECT_EQ(find_runtime("runc", path, FileId{}), self.string());
    // A symbolic link to this program is this program.
    fs::create_symlink(self, b.path / "other");
    EXPECT_NE(error_of([&] {
                  find_runtime("other", path, id_of(self));
              }).find("no OCI runtime named other"),
              std::string::npos);
    EXPECT_EQ(
        error_of([&] { find_runtime("crun", path, FileId{}); }),
        "no OCI runtime named crun on PATH (other than rdma-netns-runtime itself); install runc or "
        "name the real runtime in RDMA_NETNS_RUNTIME");
    EXPECT_EQ(find_runtime(real.string(), "", id_of(self)), real.string());
    EXPECT_EQ(error_of([&] { find_runtime(self.string(), path, id_of(self)); }),
              "the OCI runtime " + self.string() +
                  " is rdma-netns-runtime itself; name the real runtime, such as /usr/sbin/runc");
    EXPECT_NE(error_of([&] {
                  find_runtime((a.path / "crun").string(), path, FileId{});
              }).find("is not an executable file"),
              std::string::npos);
}

TEST(RuntimeBundle, RewritesAtomicallyKeepingTheMode)
{
    TempDir bundle;
    bundle.write("config.json",
                 R"({"process":{"env":["RDMA_NETNS_DEVICES=rxe0"]},"root":{"path":"rootfs"}})",
                 fs::perms(0640));
    auto before = id_of(bundle.path / "config.json");
    EXPECT_TRUE(edit_bundle(bundle.path.string(), "/bin/true"));
    EXPECT_EQ(bundle.read("config.json"),
              R"({"process":{"env":["RDMA_NETNS_DEVICES=rxe0"]},"root":{"path":"rootfs"},)"
              R"("annotations":{"rdma.netns/devices":"rxe0"},"hooks":{)"
              R"("prestart":[{"path":"/bin/true","args":["rdma-netns-hook","prestart"]}],)"
              R"("poststop":[{"path":"/bin/true","args":["rdma-netns-hook","poststop"]}]}})");
    EXPECT_FALSE(id_of(bundle.path / "config.json") == before); // replaced, not rewritten in place
    EXPECT_EQ(fs::status(bundle.path / "config.json").permissions(), fs::perms(0640));
    // Nothing left behind; a second pass changes nothing.
    EXPECT_EQ(std::distance(fs::directory_iterator(bundle.path), fs::directory_iterator()), 1);
    auto after = id_of(bundle.path / "config.json");
    EXPECT_FALSE(edit_bundle(bundle.path.string(), "/bin/true"));
    EXPECT_TRUE(id_of(bundle.path / "config.json") == after);
}

TEST(RuntimeBundle, NoRequestNoWrite)
{
    TempDir bundle;
    const std::string text = "{ \"process\" : {\"env\": [\"A=1\"]},\n  \"x\": 1.50 }\n";
    bundle.write("config.json", text, fs::perms(0644));
    auto before = id_of(bundle.path / "config.json");
    EXPECT_FALSE(edit_bundle(bundle.path.string(), "/usr/bin/rdma-netns-hook"));
    EXPECT_EQ(bundle.read("config.json"), text);
    EXPECT_TRUE(id_of(bundle.path / "config.json") == before);
}

TEST(RuntimeBundle, UnreadableBundlesAreNamed)
{
    TempDir bundle;
    EXPECT_EQ(error_of([&] { edit_bundle(bundle.path.string(), "/h"); }),
              "opening " + bundle.path.string() + "/config.json: No such file or directory");
    fs::create_symlink("/etc/hostname", bundle.path / "config.json");
    EXPECT_EQ(error_of([&] { edit_bundle(bundle.path.string(), "/h"); }),
              bundle.path.string() +
                  "/config.json is a symbolic link; the file must be a regular file, not a link");
    EXPECT_EQ(error_of([&] { edit_bundle((bundle.path / "none").string(), "/h"); }),
              "opening " + (bundle.path / "none").string() +
                  "/config.json: No such file or directory");
}

TEST(RuntimeReport, LogRecordsAsRuncWritesThem)
{
    EXPECT_EQ(log_record("rdma-netns-runtime: \"x\" is bad", "json", 0),
              "{\"level\":\"error\",\"msg\":\"rdma-netns-runtime: \\\"x\\\" is "
              "bad\",\"time\":\"1970-01-01T00:00:00Z\"}\n");
    EXPECT_EQ(log_record("m", "text", 86400),
              "time=\"1970-01-02T00:00:00Z\" level=error msg=\"m\"\n");
}
