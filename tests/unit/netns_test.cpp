// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/netns.hpp"

#include <gtest/gtest.h>

using Strings = std::vector<std::string>;

TEST(Netns, NsfsMountPointsFromMountinfo)
{
    const char* mountinfo =
        "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
        "1207 28 0:4 net:[4026532097] /run/docker/netns/0f4b5c rw shared:5 - nsfs nsfs rw\n"
        "1300 28 0:4 net:[4026532300] /run/netns/with\\040space rw - nsfs nsfs rw\n"
        "40 22 0:35 / /sys/fs/cgroup rw master:9 - cgroup2 cgroup2 rw\n"
        "41 22 0:36 / /tmp/nsfs rw - tmpfs nsfs rw\n"
        "1400 28 0:4 mnt:[4026532400] /run/mnt-ns rw - nsfs nsfs rw";
    EXPECT_EQ(rnh::nsfs_mount_points(mountinfo),
              (Strings{"/run/docker/netns/0f4b5c", "/run/netns/with space", "/run/mnt-ns"}));
    EXPECT_TRUE(rnh::nsfs_mount_points("").empty());
    EXPECT_TRUE(rnh::nsfs_mount_points("garbage\n - nsfs\n\n").empty());
}
