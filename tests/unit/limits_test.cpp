// SPDX-License-Identifier: Apache-2.0
#include "hook/audit/limits.hpp"
#include "hook/config/config.hpp"
#include "hook/plan/limits.hpp"
#include "hook/state/journal.hpp"
#include "oci/request.hpp"
#include "runtime/spec_edit.hpp"

#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using rnh::oci::memlock_unlimited;

rnh::Config config_of(const std::string& json)
{
    return rnh::parse_config(json, "c.json");
}

rnh::oci::Request asking(std::optional<std::uint64_t> memlock)
{
    rnh::oci::Request r;
    r.devices = {"rxe0"};
    r.memlock = memlock;
    return r;
}

} // namespace

TEST(Memlock, Sizes)
{
    EXPECT_EQ(rnh::oci::parse_memlock("1000", "x"), 1000U);
    EXPECT_EQ(rnh::oci::parse_memlock(" 64M ", "x"), 64ULL << 20);
    EXPECT_EQ(rnh::oci::parse_memlock("8k", "x"), 8192U);
    EXPECT_EQ(rnh::oci::parse_memlock("2G", "x"), 2ULL << 30);
    EXPECT_EQ(rnh::oci::parse_memlock("1T", "x"), 1ULL << 40);
    EXPECT_EQ(rnh::oci::parse_memlock("unlimited", "x"), memlock_unlimited);
    EXPECT_EQ(rnh::oci::parse_memlock("0", "x"), 0U);
}

TEST(Memlock, BadSizesSayHowToWriteOne)
{
    const std::string hint = "; write bytes, a number with K, M, G or T (powers of 1024) such as "
                             "64M, or unlimited";
    for (const char* bad : {"", "M", "-1", "1.5G", "64MB", "0x10", "infinity", "1 M",
                            "18446744073709551615", "16777216T", "99999999999999999999"})
        EXPECT_EQ(error_of([&] { rnh::oci::parse_memlock(bad, "annotation a"); }),
                  "annotation a: \"" + std::string(bad) + "\" is not a size of locked memory" +
                      hint)
            << bad;
    // the largest that fits: one below RLIM_INFINITY
    EXPECT_EQ(rnh::oci::parse_memlock("18446744073709551614", "x"), memlock_unlimited - 1);
    EXPECT_EQ(rnh::oci::parse_memlock("16777215T", "x"), 16777215ULL << 40);
}

TEST(Memlock, Text)
{
    EXPECT_EQ(rnh::oci::memlock_text(64ULL << 20), "64M");
    EXPECT_EQ(rnh::oci::memlock_text(8192), "8K");
    EXPECT_EQ(rnh::oci::memlock_text(1000), "1000");
    EXPECT_EQ(rnh::oci::memlock_text(0), "0");
    EXPECT_EQ(rnh::oci::memlock_text(3ULL << 40), "3T");
    EXPECT_EQ(rnh::oci::memlock_text(memlock_unlimited), "unlimited");
}

TEST(Memlock, AnnotationIsReadWithTheDevices)
{
    auto r = rnh::oci::request_from_annotations(
        {{"rdma.netns/devices", "rxe0"}, {"rdma.netns/memlock", "64M"}});
    EXPECT_EQ(r.memlock, 64ULL << 20);
    EXPECT_EQ(error_of([] {
                  rnh::oci::request_from_annotations({{"rdma.netns/memlock", "lots"}});
              }).substr(0, 68),
              "annotation rdma.netns/memlock: \"lots\" is not a size of locked memory");
    EXPECT_TRUE(rnh::oci::request_from_annotations({{"rdma.netns/memlock", "1M"}}).empty());
}

TEST(LimitsConfig, Keys)
{
    auto c = config_of(R"({"memlock":"64M","missing_rdma_controller":"warn",
        "policy":{"max_memlock":"1G","rdma_limits":{"hca_handle":2,"hca_object":100}}})");
    EXPECT_EQ(c.memlock, 64ULL << 20);
    EXPECT_FALSE(c.rdma_controller_required);
    EXPECT_EQ(c.policy.max_memlock, 1ULL << 30);
    EXPECT_EQ(c.policy.rdma_limits, (rnh::RdmaLimits{2, 100}));
    c = config_of(R"({"memlock":1048576,"policy":{"rdma_limits":{"hca_object":5}}})");
    EXPECT_EQ(c.memlock, 1U << 20);
    EXPECT_TRUE(c.rdma_controller_required);
    EXPECT_EQ(c.policy.rdma_limits, (rnh::RdmaLimits{std::nullopt, 5}));
    EXPECT_EQ(config_of("{}").memlock, std::nullopt);
    EXPECT_EQ(config_of("{}").policy.rdma_limits, std::nullopt);
}

TEST(LimitsConfig, BadKeysNameTheKey)
{
    auto bad = [](const std::string& json) { return error_of([&] { config_of(json); }); };
    EXPECT_EQ(bad(R"({"memlock":"64 MiB"})"),
              "c.json: \"memlock\": \"64 MiB\" is not a size of locked memory; write bytes, a "
              "number with K, M, G or T (powers of 1024) such as 64M, or unlimited");
    EXPECT_EQ(bad(R"({"memlock":-1})"),
              "c.json: \"memlock\" must be bytes or a string such as \"64M\" or \"unlimited\"");
    EXPECT_EQ(bad(R"({"memlock":"2G","policy":{"max_memlock":"1G"}})"),
              "c.json: \"memlock\" (2G) is above \"policy.max_memlock\" (1G); lower memlock or "
              "raise policy.max_memlock");
    EXPECT_EQ(bad(R"({"missing_rdma_controller":"ignore"})"),
              "c.json: \"missing_rdma_controller\" is \"ignore\"; write \"fail\" (refuse the "
              "start) or \"warn\" (start without the limits)");
    EXPECT_EQ(bad(R"({"policy":{"rdma_limits":{}}})"),
              "c.json: \"policy.rdma_limits\" must be an object with hca_handle, hca_object or "
              "both");
    EXPECT_EQ(bad(R"({"policy":{"rdma_limits":{"hca_handles":1}}})"),
              "c.json: unknown setting \"policy.rdma_limits.hca_handles\"; known: hca_handle, "
              "hca_object");
    EXPECT_EQ(bad(R"({"policy":{"rdma_limits":{"hca_handle":0}}})"),
              "c.json: \"policy.rdma_limits\": \"hca_handle\" must be a whole number from 1 to "
              "2147483646");
    EXPECT_EQ(bad(R"({"policy":{"rdma_limits":{"hca_object":2147483647}}})"),
              "c.json: \"policy.rdma_limits\": \"hca_object\" must be a whole number from 1 to "
              "2147483646");
}

TEST(PlanLimits, ConfigValueUnlessTheSpecSetsOne)
{
    auto c = config_of(R"({"memlock":"64M","policy":{"rdma_limits":{"hca_handle":1}}})");
    auto l = rnh::plan_limits(c, asking(std::nullopt), std::nullopt);
    EXPECT_EQ(l.memlock, 64ULL << 20);
    EXPECT_EQ(l.rdma, (rnh::RdmaLimits{1, std::nullopt}));
    // config.json's process.rlimits wins: the hook leaves RLIMIT_MEMLOCK alone
    l = rnh::plan_limits(c, asking(std::nullopt), 4096);
    EXPECT_EQ(l.memlock, std::nullopt);
    EXPECT_EQ(l.rdma, (rnh::RdmaLimits{1, std::nullopt}));
    EXPECT_EQ(rnh::plan_limits(config_of("{}"), asking(std::nullopt), std::nullopt), rnh::Limits{});
}

TEST(PlanLimits, AnnotationUpToThePolicy)
{
    auto c = config_of(R"({"memlock":"8M","policy":{"max_memlock":"64M"}})");
    EXPECT_EQ(rnh::plan_limits(c, asking(64ULL << 20), std::nullopt).memlock, 64ULL << 20);
    EXPECT_EQ(rnh::plan_limits(c, asking(1ULL << 20), std::nullopt).memlock, 1ULL << 20);
    EXPECT_EQ(rnh::plan_limits(c, asking(1ULL << 20), 0).memlock, std::nullopt);
    EXPECT_EQ(error_of([&] { rnh::plan_limits(c, asking((64ULL << 20) + 1), std::nullopt); }),
              "annotation rdma.netns/memlock (67108865) is above policy.max_memlock (64M) of "
              "c.json; ask for at most 64M");
    EXPECT_EQ(error_of([&] { rnh::plan_limits(c, asking(memlock_unlimited), std::nullopt); }),
              "annotation rdma.netns/memlock (unlimited) is above policy.max_memlock (64M) of "
              "c.json; ask for at most 64M");
    // refused even when config.json sets its own limit: the request itself is out of bounds
    EXPECT_NE(error_of([&] { rnh::plan_limits(c, asking(1ULL << 30), 0); }), "no error");
    EXPECT_EQ(error_of([] {
                  rnh::plan_limits(config_of(R"({"memlock":"8M"})"), asking(1ULL << 20),
                                   std::nullopt);
              }),
              "annotation rdma.netns/memlock (1M) is not honoured: c.json sets no "
              "policy.max_memlock; ask the operator to set policy.max_memlock, or remove the "
              "annotation");
}

TEST(RdmaMax, Lines)
{
    EXPECT_EQ(rnh::rdma_max_line("rxe0", {2, 100}), "rxe0 hca_handle=2 hca_object=100");
    EXPECT_EQ(rnh::rdma_max_line("mlx5_1", {std::nullopt, 7}),
              "mlx5_1 hca_handle=max hca_object=7");
}

TEST(RdmaMax, ParsesWhatTheKernelPrints)
{
    // rdmacg_resource_read(): every device, a blank after each value
    auto m = rnh::parse_rdma_max(
        "rxe0 hca_handle=2 hca_object=100 \nrxe1 hca_handle=max hca_object=max \n", "f");
    ASSERT_EQ(m.size(), 2U);
    EXPECT_EQ(m["rxe0"], (rnh::RdmaLimits{2, 100}));
    EXPECT_EQ(m["rxe1"], rnh::RdmaLimits{});
    EXPECT_TRUE(rnh::parse_rdma_max("", "f").empty());
    EXPECT_EQ(error_of([] { rnh::parse_rdma_max("rxe0 hca_handle=x\n", "f"); }),
              "f: \"x\" is not a limit");
    EXPECT_EQ(error_of([] { rnh::parse_rdma_max("rxe0 hca_handle\n", "f"); }),
              "f: \"hca_handle\" is not name=value");
}

TEST(RdmaCgroup, FromProcPidCgroup)
{
    auto v2 = rnh::rdma_cgroup_of("0::/system.slice/c1\n", "p");
    EXPECT_EQ(v2.path, "/system.slice/c1");
    EXPECT_TRUE(v2.v2);
    EXPECT_EQ(rnh::cgroup_dir("/sys", v2), "/sys/fs/cgroup/system.slice/c1");
    auto v1 = rnh::rdma_cgroup_of("12:pids:/x\n5:rdma:/docker/abc\n1:name=systemd:/y\n", "p");
    EXPECT_EQ(v1.path, "/docker/abc");
    EXPECT_FALSE(v1.v2);
    EXPECT_EQ(rnh::cgroup_dir("/sys", v1), "/sys/fs/cgroup/rdma/docker/abc");
    EXPECT_EQ(rnh::rdma_cgroup_of("3:cpu,rdma:/k\n", "p").path, "/k");
    EXPECT_EQ(rnh::cgroup_dir("/sys", rnh::rdma_cgroup_of("0::/\n", "p")), "/sys/fs/cgroup");
    // a path with ':' in it
    EXPECT_EQ(rnh::rdma_cgroup_of("0::/a:b\n", "p").path, "/a:b");
    const std::string none = "p names neither a cgroup v2 path nor a v1 hierarchy with the rdma "
                             "controller; mount cgroup v2 (or v1 with the rdma controller) to use "
                             "policy.rdma_limits";
    EXPECT_EQ(error_of([] { rnh::rdma_cgroup_of("4:pids:/x\n", "p"); }), none);
    // outside the reader's cgroup namespace: not a path under the hierarchy's root
    EXPECT_EQ(error_of([] { rnh::rdma_cgroup_of("0::/../c1\n", "p"); }), none);
    EXPECT_EQ(error_of([] { rnh::rdma_cgroup_of("", "p"); }), none);
}

TEST(LimitsJournal, RoundTrip)
{
    rnh::Assignment a;
    a.container_id = "c1";
    a.devices = {{3, "rxe0"}};
    a.memlock = memlock_unlimited;
    a.rdma_cgroup = "/sys/fs/cgroup/c1";
    a.rdma_max = {"rxe0 hca_handle=1 hca_object=max"};
    auto json = rnh::to_json(a);
    auto doc = nlohmann::json::parse(json);
    EXPECT_EQ(doc["limits"]["memlock"].get<std::uint64_t>(), memlock_unlimited);
    auto back = rnh::assignment_from_json(json, "j");
    EXPECT_EQ(back.memlock, memlock_unlimited);
    EXPECT_EQ(back.rdma_cgroup, a.rdma_cgroup);
    EXPECT_EQ(back.rdma_max, a.rdma_max);
    a.memlock.reset();
    a.rdma_cgroup.reset();
    a.rdma_max.clear();
    json = rnh::to_json(a);
    EXPECT_FALSE(nlohmann::json::parse(json).contains("limits"));
    EXPECT_EQ(rnh::assignment_from_json(json, "j").memlock, std::nullopt);
    doc["limits"]["rdma_max"] = "rxe0";
    EXPECT_EQ(error_of([&] { rnh::assignment_from_json(doc.dump(), "j"); }),
              "j: \"limits\": \"rdma_max\" must be an array");
}

TEST(LimitsRuntime, MemlockVariableOnlyWithDevices)
{
    auto spec = [](const std::string& env) { return R"({"process":{"env":)" + env + "}}"; };
    auto edited = rnh::runtime::add_hooks_to_spec(
        spec(R"(["RDMA_NETNS_DEVICES=rxe0","RDMA_NETNS_MEMLOCK=65536k"])"), "config.json",
        "/usr/bin/rdma-netns-hook");
    ASSERT_TRUE(edited);
    EXPECT_EQ(nlohmann::json::parse(*edited)["annotations"]["rdma.netns/memlock"], "64M");
    EXPECT_EQ(rnh::runtime::add_hooks_to_spec(R"({"annotations":{"rdma.netns/memlock":"64M"}})",
                                              "config.json", "/usr/bin/rdma-netns-hook"),
              std::nullopt);
    EXPECT_EQ(rnh::runtime::add_hooks_to_spec(spec(R"(["RDMA_NETNS_MEMLOCK=64M"])"), "config.json",
                                              "/usr/bin/rdma-netns-hook"),
              std::nullopt);
    EXPECT_EQ(error_of([&] {
                  rnh::runtime::add_hooks_to_spec(
                      spec(R"(["RDMA_NETNS_DEVICES=rxe0","RDMA_NETNS_MEMLOCK=big"])"),
                      "config.json", "/usr/bin/rdma-netns-hook");
              }).substr(0, 77),
              "environment variable RDMA_NETNS_MEMLOCK: \"big\" is not a size of locked memory");
}

TEST(LimitsAudit, DifferencesFromTheJournal)
{
    rnh::Assignment a;
    a.container_id = "c1";
    a.pid = 42;
    a.memlock = 128ULL << 20;
    a.rdma_cgroup = "/sys/fs/cgroup/c1";
    a.rdma_max = {"rxe0 hca_handle=1 hca_object=100", "rxe1 hca_handle=1 hca_object=100"};
    rnh::LimitsNow now;
    now.memlock = 128ULL << 20;
    now.rdma_max = "rxe0 hca_handle=1 hca_object=100 \nrxe1 hca_handle=1 hca_object=100 \n"
                   "rxe2 hca_handle=max hca_object=max \n";
    EXPECT_TRUE(rnh::limit_breaches(a, now).empty());
    now.memlock = 8ULL << 20;
    now.rdma_max = "rxe0 hca_handle=max hca_object=100 \n";
    EXPECT_EQ(rnh::limit_breaches(a, now),
              (std::vector<std::string>{
                  "container c1: RLIMIT_MEMLOCK of pid 42 is 8M, but the hook set 128M",
                  "container c1: /sys/fs/cgroup/c1/rdma.max has \"rxe0 hca_handle=max "
                  "hca_object=100\", but the hook set \"rxe0 hca_handle=1 hca_object=100\"",
                  "container c1: /sys/fs/cgroup/c1/rdma.max has \"rxe1 absent\", but the hook "
                  "set \"rxe1 hca_handle=1 hca_object=100\""}));
    now.memlock.reset();
    now.memlock_error = "gone";
    now.rdma_max.reset();
    now.rdma_max_error = "no such file";
    EXPECT_EQ(rnh::limit_breaches(a, now),
              (std::vector<std::string>{
                  "container c1: its RLIMIT_MEMLOCK cannot be read (gone); the hook set 128M",
                  "container c1: /sys/fs/cgroup/c1/rdma.max cannot be read (no such file); the "
                  "hook set its devices' limits there"}));
    // a container without recorded limits has nothing to differ from
    EXPECT_TRUE(rnh::limit_breaches(rnh::Assignment{}, now).empty());
}
