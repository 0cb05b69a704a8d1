// SPDX-License-Identifier: Apache-2.0
// CNI attachments in the journal: their names, and their record beside hook assignments.
#include "hook/state/journal.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

using rnh::Assignment;

TEST(CniJournal, AttachmentKeyIsContainerIdAtIfname)
{
    EXPECT_EQ(rnh::attachment_key("4f3a9c0e", "net1"), "4f3a9c0e@net1");
    EXPECT_EQ(rnh::attachment_key("a.b_c-d", "eth0.100"), "a.b_c-d@eth0.100");
}

TEST(CniJournal, KeysThatAreNotSafeFileNamesAreRefused)
{
    EXPECT_EQ(error_of([] { rnh::attachment_key("abc", "../x"); }),
              "CNI_IFNAME \"../x\" is not a valid interface name; names are 1 to 15 printable "
              "characters, not \".\" or \"..\", without '/', ':' or blanks");
    EXPECT_EQ(error_of([] { rnh::attachment_key(".abc", "net1"); }),
              "CNI_CONTAINERID \".abc\" is not a valid CNI container id; ids are 1 to 1024 of "
              "[A-Za-z0-9_.-], starting with a letter or digit");
    for (const char* bad : {"", ".", "..", "a b", "a:b", "0123456789abcdef", "tab\tx"})
        EXPECT_THROW(rnh::attachment_key("abc", bad), rnh::Error) << bad;
    for (const char* bad : {"", "-x", "a/b", "a@b", "a+b"})
        EXPECT_THROW(rnh::attachment_key(bad, "net1"), rnh::Error) << bad;
    EXPECT_NO_THROW(rnh::attachment_key("abc", "0123456789abcde"));
}

TEST(CniJournal, JournalKeysAreOciIdsOrAttachmentKeys)
{
    EXPECT_NO_THROW(rnh::check_journal_key("c1+x")); // an OCI id may hold '+'
    EXPECT_NO_THROW(rnh::check_journal_key("pod1@net1"));
    EXPECT_THROW(rnh::check_journal_key("pod+1@net1"), rnh::Error); // no CNI id has '+'
    EXPECT_THROW(rnh::check_journal_key("pod1@"), rnh::Error);
    EXPECT_THROW(rnh::check_journal_key("@net1"), rnh::Error);
    EXPECT_THROW(rnh::check_journal_key("pod1@a/b"), rnh::Error);
}

TEST(CniJournal, AttachmentRoundTripsBesideAnAssignment)
{
    TempDir dir;
    rnh::Journal journal(dir.path.string());
    Assignment hook;
    hook.container_id = "c1";
    hook.devices = {{1, "rxe0"}};
    Assignment cni;
    cni.container_id = rnh::attachment_key("pod1", "net1");
    cni.phase = Assignment::Phase::held;
    cni.netns = {4, 4026532281, 8193};
    cni.netns_path = "/run/netns/pod1";
    cni.devices = {{2, "rxe1"}};
    cni.cni = rnh::CniAttachment{"pod1", "net1", "rdma-net", "", ""};
    journal.write(hook);
    journal.write(cni);
    auto all = journal.all();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_FALSE(all[0].cni);
    ASSERT_TRUE(all[1].cni);
    EXPECT_EQ(all[1].container_id, "pod1@net1");
    EXPECT_EQ(all[1].cni->container_id, "pod1");
    EXPECT_EQ(all[1].cni->ifname, "net1");
    EXPECT_EQ(all[1].cni->network, "rdma-net");
    EXPECT_EQ(all[1].devices, cni.devices);
    // an entry of an earlier release has no pod and no configuration identity
    EXPECT_EQ(all[1].cni->pod, "");
    EXPECT_EQ(all[1].cni->config_id, "");
    cni.cni->pod = "6f1c0d2e-uid";
    cni.cni->config_id = rnh::config_identity("{}");
    journal.write(cni);
    const auto again = journal.read("pod1@net1");
    ASSERT_TRUE(again && again->cni);
    EXPECT_EQ(again->cni->pod, "6f1c0d2e-uid");
    EXPECT_EQ(again->cni->config_id, cni.cni->config_id);
    journal.remove("pod1@net1");
    EXPECT_EQ(journal.all().size(), 1u);
}

TEST(CniJournal, ConfigIdentityIsFnv1a)
{
    // the published FNV-1a 64-bit vectors
    EXPECT_EQ(rnh::config_identity(""), "cbf29ce484222325");
    EXPECT_EQ(rnh::config_identity("a"), "af63dc4c8601ec8c");
    EXPECT_EQ(rnh::config_identity("foobar"), "85944171f73967e8");
}
