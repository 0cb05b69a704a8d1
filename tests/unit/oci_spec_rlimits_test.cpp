// SPDX-License-Identifier: Apache-2.0
// config.json's RLIMIT_MEMLOCK is read only for a container given devices: one
// given none starts untouched and silent, whatever its process.rlimits say.
#include "hook/commands.hpp"
#include "hook/oci_container.hpp"
#include "oci/spec.hpp"

#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

namespace {

using Memlock = std::optional<std::uint64_t>;

Memlock memlock_of(const std::string& json)
{
    return rnh::oci::parse_spec(json, "config.json").memlock.value();
}

// What a hand-written config.json may say for "unlimited"; the OCI spec's
// limits are unsigned, so this is no limit the hook can read.
const std::string minus_one = R"("process":{"rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,
    "soft":1024},{"type":"RLIMIT_MEMLOCK","hard":-1,"soft":-1}]})";
const std::string minus_one_error =
    ": an entry of \"process.rlimits\" for RLIMIT_MEMLOCK has no \"soft\" limit that is a "
    "whole number; the OCI spec's limits are unsigned 64-bit numbers: unlimited is "
    "18446744073709551615";

// A bundle whose config.json has `annotations` and the -1 limit; a state
// without annotations, as some runtimes give, so the hook reads config.json.
struct Bundle {
    TempDir dir;
    rnh::oci::State state;
    explicit Bundle(const std::string& annotations)
    {
        dir.write("config.json", "{\"annotations\":" + annotations + "," + minus_one + "}");
        state.id = "c1";
        state.status = "created";
        state.pid = 1;
        state.bundle = dir.path.string();
    }
    std::string error() const { return dir.path.string() + "/config.json" + minus_one_error; }
};

} // namespace

TEST(SpecRlimits, MemlockFromConfigJson)
{
    EXPECT_EQ(memlock_of(R"({"process":{"rlimits":[
        {"type":"RLIMIT_NOFILE","hard":1024,"soft":1024},
        {"type":"RLIMIT_MEMLOCK","hard":2097152,"soft":1048576}]}})"),
              1048576U);
    EXPECT_EQ(memlock_of(R"({"process":{"rlimits":[{"type":"RLIMIT_MEMLOCK",
        "hard":18446744073709551615,"soft":18446744073709551615}]}})"),
              UINT64_MAX);
    EXPECT_EQ(memlock_of(R"({"process":{"rlimits":[{"type":"RLIMIT_NOFILE",
        "hard":1,"soft":1}]}})"),
              std::nullopt);
    EXPECT_EQ(memlock_of(R"({"process":{}})"), std::nullopt);
    EXPECT_EQ(memlock_of(R"({"process":null})"), std::nullopt);
    EXPECT_EQ(memlock_of("{}"), std::nullopt);
    EXPECT_EQ(error_of([] { memlock_of(R"({"process":{"rlimits":{}}})"); }),
              "config.json: \"process.rlimits\" must be an array");
    EXPECT_EQ(error_of([] { memlock_of(R"({"process":[]})"); }),
              "config.json must be a JSON object, not array");
    EXPECT_EQ(error_of([] { memlock_of("{" + minus_one + "}"); }), "config.json" + minus_one_error);
}

// parse_spec reads the rest of config.json; the limit only when asked for.
TEST(SpecRlimits, ReadOnlyWhenAskedFor)
{
    auto spec = rnh::oci::parse_spec(
        R"({"annotations":{"rdma.netns/devices":"rxe0"},"linux":{"namespaces":[
            {"type":"network","path":"/run/netns/pod1"}]},)" +
            minus_one + "}",
        "config.json");
    EXPECT_EQ(spec.annotations.at("rdma.netns/devices"), "rxe0");
    EXPECT_EQ(spec.netns_path, "/run/netns/pod1");
    EXPECT_EQ(error_of([&] { return spec.memlock.value(); }), "config.json" + minus_one_error);
    EXPECT_EQ(error_of([] { rnh::oci::parse_spec(R"({"process":[]})", "config.json"); }),
              "no error");
}

// The README's promise: a container that asks for nothing is not touched, and
// the hook prints nothing.
TEST(SpecRlimits, ContainerAskingForNothingStartsSilently)
{
    for (const auto* annotations : {"{}", R"({"io.kubernetes.cri.container-type":"container"})"}) {
        Bundle b(annotations);
        EXPECT_TRUE(rnh::describe_container(b.state, {}).request.empty()) << annotations;
        testing::internal::CaptureStdout();
        testing::internal::CaptureStderr();
        const auto error = error_of([&] { rnh::run_prestart(rnh::Config{}, b.state, {}); });
        const auto out = testing::internal::GetCapturedStdout();
        const auto err = testing::internal::GetCapturedStderr();
        EXPECT_EQ(error, "no error") << annotations;
        EXPECT_EQ(out + err, "") << annotations;
    }
}

// A container given devices still gets the error, before anything moves.
TEST(SpecRlimits, ContainerAskingForDevicesIsRefused)
{
    Bundle from_config(R"({"rdma.netns/devices":"rxe0"})");
    EXPECT_EQ(error_of([&] { rnh::describe_container(from_config.state, {}); }),
              from_config.error());

    Bundle from_state("{}");
    from_state.state.annotations = rnh::oci::Annotations{{"rdma.netns/devices", "rxe0"}};
    EXPECT_EQ(error_of([&] { rnh::describe_container(from_state.state, {}); }), from_state.error());

    // devices from the hook entry's own arguments (--device), as CDI gives them
    Bundle from_args("{}");
    EXPECT_EQ(error_of([&] { rnh::describe_container(from_args.state, {"rxe0"}); }),
              from_args.error());
}
