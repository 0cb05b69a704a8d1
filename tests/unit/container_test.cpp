// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "hook/kernel/netns.hpp"
#include "hook/oci_container.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include <unistd.h>

TEST(Container, NoPidAndNoNamespacePathIsRefused)
{
    rnh::Container c;
    c.id = "c1";
    c.request.devices = {"rxe0"};
    try {
        rnh::container_netns(c);
        FAIL();
    } catch (const rnh::Error& e) {
        EXPECT_STREQ(e.what(), "the OCI state of container c1 has no pid and its config.json "
                               "names no network namespace; run the hook at the prestart or "
                               "createRuntime stage, when the container exists");
    }
}

TEST(Container, HookArgumentsJoinTheAnnotations)
{
    char dir[] = "/tmp/rnh-bundle-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string bundle = dir;
    std::ofstream(bundle + "/config.json")
        << R"({"linux":{"namespaces":[{"type":"network","path":"/run/netns/pod"}]}})";
    rnh::oci::State state;
    state.id = "c1";
    state.bundle = bundle;
    state.annotations = rnh::oci::Annotations{{"rdma.netns/devices", "rxe0,rxe1"}};
    auto c = rnh::describe_container(state, {"rxe1", "rxe2"});
    EXPECT_EQ(c.request.devices, (std::vector<std::string>{"rxe0", "rxe1", "rxe2"}));
    EXPECT_EQ(c.netns_path, "/run/netns/pod");
    state.annotations = rnh::oci::Annotations{};
    EXPECT_TRUE(rnh::describe_container(state, {}).request.empty());
    unlink((bundle + "/config.json").c_str());
    rmdir(dir);
}
