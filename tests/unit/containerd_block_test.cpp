// SPDX-License-Identifier: Apache-2.0
// rdma-netns-install's edit of containerd's config.toml: the marked block goes
// in at the end, replaces itself, and comes out leaving the text byte for byte.
#include "base/error.hpp"
#include "installer/containerd_block.hpp"
#include "installer/layout.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace {

using namespace rnh::installer;

// Debian 12's /etc/containerd/config.toml (package containerd 1.6.20).
const std::string debian = R"(version = 2

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "/etc/cni/net.d"
  [plugins."io.containerd.internal.v1.opt"]
    path = "/var/lib/containerd/opt"
)";

const std::string wrapper = "/opt/rdma-netns/bin/rdma-netns-runtime";

std::size_t count(const std::string& text, const std::string& what)
{
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
        ++n;
    return n;
}

} // namespace

TEST(ContainerdBlock, AppendsTheHandlerAndRuncToDebiansConfig)
{
    const auto with = with_block(debian, wrapper);
    ASSERT_TRUE(with.starts_with(debian));
    const auto block = with.substr(debian.size());
    EXPECT_TRUE(block.starts_with("# >>> rdma-netns-install >>>\n")) << block;
    EXPECT_TRUE(block.ends_with("# <<< rdma-netns-install <<<\n")) << block;
    EXPECT_NE(block.find(handler_tables(wrapper, true)), std::string::npos) << block;
    EXPECT_NE(block.find(R"([plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc])"
                         "\n  runtime_type = \"io.containerd.runc.v2\"\n"),
              std::string::npos);
    EXPECT_NE(block.find("pod_annotations = [\"rdma.netns/*\"]\n"), std::string::npos);
    EXPECT_NE(block.find("BinaryName = \"" + wrapper + "\"\n"), std::string::npos);
    EXPECT_TRUE(has_block(with));
    EXPECT_FALSE(has_block(debian));
    EXPECT_EQ(cni_bin_dir(with), "/usr/lib/cni");
}

TEST(ContainerdBlock, RemovingItRestoresTheTextByteForByte)
{
    EXPECT_EQ(without_block(with_block(debian, wrapper)), debian);
    EXPECT_EQ(without_block(debian), debian);
}

TEST(ContainerdBlock, InstallingTwiceReplacesTheBlock)
{
    const auto once = with_block(debian, wrapper);
    EXPECT_EQ(with_block(once, wrapper), once);
    const auto other = with_block(once, "/usr/local/bin/rdma-netns-runtime");
    EXPECT_EQ(count(other, "# >>> rdma-netns-install"), 1U);
    EXPECT_EQ(count(other, "runtimes.rdma]"), 1U);
    EXPECT_EQ(count(other, wrapper), 0U);
    EXPECT_EQ(count(other, "/usr/local/bin/rdma-netns-runtime"), 1U);
    EXPECT_EQ(without_block(other), debian);
}

TEST(ContainerdBlock, ReplacesItWhereItIsKeepingWhatFollows)
{
    const std::string after = "[plugins.\"io.containerd.internal.v1.tracing\"]\n  x = 1\n";
    const auto edited = with_block(debian, wrapper) + after;
    const auto again = with_block(edited, "/other/rdma-netns-runtime");
    EXPECT_TRUE(again.ends_with("# <<< rdma-netns-install <<<\n" + after)) << again;
    EXPECT_EQ(without_block(again), debian + after);
}

TEST(ContainerdBlock, ATextWithoutAFinalNewlineComesBackWithoutOne)
{
    const std::string text = "version = 2\nroot = \"/var/lib/containerd\"";
    const auto with = with_block(text, wrapper);
    EXPECT_TRUE(with.starts_with(text + "\n# >>> rdma-netns-install (newline added above) >>>\n"))
        << with;
    EXPECT_EQ(with_block(with, wrapper), with);
    EXPECT_EQ(without_block(with), text);
}

TEST(ContainerdBlock, RuncDeclaredByTheConfigIsNotDeclaredAgain)
{
    const std::string text =
        debian + R"(    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = true
)";
    const auto with = with_block(text, wrapper);
    EXPECT_EQ(count(with, "runtimes.runc]"), 1U) << with;
    const auto block = with.substr(text.size());
    EXPECT_NE(block.find("-install --uninstall` removes this block.\n" +
                         handler_tables(wrapper, false) + "# <<<"),
              std::string::npos)
        << with;
    EXPECT_EQ(without_block(with), text);
}

TEST(ContainerdBlock, HeadersWithBlanksAreRecognised)
{
    const std::string text =
        "version = 2\n[ plugins . \"io.containerd.grpc.v1.cri\" . containerd.runtimes.runc ]\n";
    EXPECT_EQ(count(with_block(text, wrapper), "runtimes.runc]"), 0U);
}

TEST(ContainerdBlock, ARuntimeRdmaOfTheConfigIsRefused)
{
    const std::string text =
        debian + "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.rdma.options]\n";
    try {
        with_block(text, wrapper);
        FAIL() << "accepted";
    } catch (const rnh::Error& e) {
        EXPECT_NE(std::string(e.what()).find("declares the runtime handler \"rdma\" itself"),
                  std::string::npos)
            << e.what();
        EXPECT_NE(e.hint().find("remove that table"), std::string::npos);
    }
}

TEST(ContainerdBlock, OnlyVersion2IsEdited)
{
    for (const std::string text :
         {"", "[plugins.cri]\n", "version = 1\n", "version = 3\n", "[grpc]\nversion = 2\n"}) {
        try {
            with_block(text, wrapper);
            ADD_FAILURE() << "accepted: " << text;
        } catch (const rnh::Error& e) {
            EXPECT_NE(std::string(e.what()).find("version"), std::string::npos) << e.what();
            EXPECT_FALSE(e.hint().empty());
        }
    }
    EXPECT_NO_THROW(with_block("version = 2 # comment\n", wrapper));
}

TEST(ContainerdBlock, ABrokenBlockIsRefused)
{
    const auto with = with_block(debian, wrapper);
    const auto cut = with.substr(0, with.find("# <<<"));
    EXPECT_THROW(without_block(cut), rnh::Error);
    EXPECT_THROW(with_block(cut, wrapper), rnh::Error);
    EXPECT_THROW(without_block(with + with.substr(debian.size())), rnh::Error);
    EXPECT_THROW(with_block(debian, "/a\"b"), rnh::Error);
}

TEST(ContainerdBlock, CniBinDirIsTheCriPluginsOnly)
{
    EXPECT_EQ(cni_bin_dir(debian), "/usr/lib/cni");
    EXPECT_EQ(cni_bin_dir("version = 2\n"), std::nullopt);
    EXPECT_EQ(cni_bin_dir("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".cni]\n"
                          "  bin_dir = '/opt/cni/bin' # comment\n"),
              "/opt/cni/bin");
    EXPECT_EQ(cni_bin_dir("version = 2\n[plugins.\"other\".cni]\n  bin_dir = \"/x\"\n"),
              std::nullopt);
}

TEST(InstallerLayout, HooksDFilesAreThePackagesWithTheNodesPath)
{
    for (const std::string stage : {"prestart", "poststop"}) {
        std::ifstream in(std::string(RNH_HOOKS_D_DIR) + "/rdma-netns-hook-" + stage + ".json");
        auto package = nlohmann::json::parse(in);
        package["hook"]["path"] = "/opt/rdma-netns/bin/rdma-netns-hook";
        EXPECT_EQ(nlohmann::json::parse(hooks_d_file(stage, "/opt/rdma-netns/bin/rdma-netns-hook")),
                  package);
    }
}

TEST(InstallerLayout, DeployShowsTheTablesOfTheBlock)
{
    std::ifstream in(std::string(RNH_DEPLOY_DIR) + "/containerd-runtime.toml");
    ASSERT_TRUE(in) << RNH_DEPLOY_DIR;
    std::stringstream shown;
    std::string line;
    while (std::getline(in, line))
        if (!line.starts_with("#"))
            shown << line << "\n";
    std::stringstream block(handler_tables("/opt/rdma-netns/bin/rdma-netns-runtime", true));
    std::stringstream tables;
    while (std::getline(block, line))
        if (!line.starts_with("#"))
            tables << line << "\n";
    EXPECT_EQ(shown.str(), tables.str());
}
