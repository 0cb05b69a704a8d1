// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "hook/state/journal.hpp"
#include "hook/state/locks.hpp"
#include "tests/support/error_of.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using rnh::Assignment;

namespace {

class JournalTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        char dir[] = "/tmp/rnh-journal-XXXXXX";
        ASSERT_NE(mkdtemp(dir), nullptr);
        state_dir = dir;
    }
    void TearDown() override { fs::remove_all(state_dir); }

    static Assignment sample(const std::string& id)
    {
        Assignment a;
        a.container_id = id;
        a.phase = Assignment::Phase::held;
        a.netns = {4, 4026532281, 8193};
        a.netns_path = "/run/netns/pod";
        a.pid = 4242;
        a.devices = {{1, "rxe0"}, {7, "mlx5_1"}};
        a.since = 1764000000;
        return a;
    }

    std::string state_dir;
};

void expect_same(const Assignment& x, const Assignment& y)
{
    EXPECT_EQ(x.container_id, y.container_id);
    EXPECT_EQ(x.phase, y.phase);
    EXPECT_EQ(x.netns, y.netns);
    EXPECT_EQ(x.netns_path, y.netns_path);
    EXPECT_EQ(x.pid, y.pid);
    EXPECT_EQ(x.devices, y.devices);
    EXPECT_EQ(x.since, y.since);
}

} // namespace

TEST_F(JournalTest, RoundTrip)
{
    rnh::Journal journal(state_dir);
    EXPECT_FALSE(journal.read("c1"));
    journal.write(sample("c1"));
    auto back = journal.read("c1");
    ASSERT_TRUE(back);
    expect_same(*back, sample("c1"));
    journal.write(sample("c0"));
    auto all = journal.all();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].container_id, "c0");
    journal.remove("c1");
    EXPECT_FALSE(journal.read("c1"));
    EXPECT_EQ(journal.all().size(), 1u);
}

TEST_F(JournalTest, MinimalRecordRoundTrips)
{
    Assignment a;
    a.container_id = "bare";
    auto back = rnh::assignment_from_json(rnh::to_json(a), "x");
    expect_same(back, a);
}

TEST_F(JournalTest, OverwriteLeavesNoTemporaryFile)
{
    rnh::Journal journal(state_dir);
    journal.write(sample("c1"));
    auto second = sample("c1");
    second.phase = Assignment::Phase::moving;
    journal.write(second);
    EXPECT_EQ(journal.read("c1")->phase, Assignment::Phase::moving);
    int files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(state_dir + "/containers"))
        ++files;
    EXPECT_EQ(files, 1);
}

TEST_F(JournalTest, TornWriteIsAClearErrorAndLeftoverTempIsIgnored)
{
    rnh::Journal journal(state_dir);
    journal.write(sample("c1"));
    auto text = rnh::to_json(sample("c2"));
    std::ofstream(state_dir + "/containers/.c3.tmp") << text.substr(0, 10);
    EXPECT_EQ(journal.all().size(), 1u);
    std::ofstream(state_dir + "/containers/c2.json") << text.substr(0, text.size() / 2);
    try {
        journal.read("c2");
        FAIL();
    } catch (const rnh::Error& e) {
        EXPECT_EQ(
            std::string(e.what()).rfind(state_dir + "/containers/c2.json is not valid JSON", 0), 0u)
            << e.what();
    }
}

// A corrupt or oversized entry is its own container's problem: every other
// command reads past it, and status gets it to list.
TEST_F(JournalTest, AnUnreadableEntryIsSkippedAndListed)
{
    rnh::Journal journal(state_dir);
    journal.write(sample("good"));
    journal.write(sample("torn"));
    std::ofstream(state_dir + "/containers/torn.json") << "{\"version\": 1, \"contai";
    std::ofstream(state_dir + "/containers/huge.json")
        << std::string(rnh::Journal::max_entry_bytes + 1, ' ');
    std::ofstream(state_dir + "/containers/bad\x1bname.json") << "{}";
    auto all = journal.all();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].container_id, "good");
    std::vector<rnh::UnreadableEntry> unreadable;
    EXPECT_EQ(journal.all(&unreadable).size(), 1u);
    ASSERT_EQ(unreadable.size(), 3u);
    std::sort(unreadable.begin(), unreadable.end(),
              [](const auto& x, const auto& y) { return x.path < y.path; });
    EXPECT_EQ(unreadable[1].path, state_dir + "/containers/huge.json");
    EXPECT_EQ(unreadable[1].error, state_dir + "/containers/huge.json is larger than 262144 "
                                               "bytes; it is refused rather than truncated");
    EXPECT_NE(unreadable[2].error.find("is not valid JSON"), std::string::npos);
    EXPECT_NE(error_of([&] { journal.read("torn"); }).find("is not valid JSON"), std::string::npos);
}

TEST_F(JournalTest, AnEntryOverTheBoundIsNotWritten)
{
    rnh::Journal journal(state_dir);
    auto a = sample("big");
    for (int i = 0; i < 5000; ++i)
        a.devices.push_back(
            {static_cast<std::uint32_t>(i), "mlx5_" + std::to_string(i) + std::string(40, 'x')});
    EXPECT_NE(error_of([&] { journal.write(a); }).find("the journal entry of big would be "),
              std::string::npos);
    EXPECT_FALSE(fs::exists(state_dir + "/containers/big.json"));
    EXPECT_TRUE(journal.all().empty());
}

TEST_F(JournalTest, RefusesIdsThatAreNotFileNames)
{
    rnh::Journal journal(state_dir);
    EXPECT_THROW(journal.write(sample("../../etc/x")), rnh::Error);
    EXPECT_THROW(journal.read(".hidden"), rnh::Error);
}

TEST_F(JournalTest, WrongFieldsAreNamed)
{
    try {
        rnh::assignment_from_json(R"({"version":1,"container_id":"c","phase":"gone",
            "netns":{"dev":1,"ino":2},"devices":[],"since":0})",
                                  "rec");
        FAIL();
    } catch (const rnh::Error& e) {
        EXPECT_STREQ(e.what(), "rec: unknown phase \"gone\"");
    }
    EXPECT_THROW(rnh::assignment_from_json(R"({"version":2})", "rec"), rnh::Error);
    EXPECT_THROW(rnh::assignment_from_json(R"({"version":1,"container_id":"c","phase":"held",
            "netns":{"dev":1,"ino":2},"devices":[{"name":"a","index":-1}],"since":0})",
                                           "rec"),
                 rnh::Error);
}

TEST_F(JournalTest, ValuesTheHookCannotWriteAreRefused)
{
    auto record = [](const std::string& pid, const std::string& since, const std::string& index) {
        return R"({"version":1,"container_id":"c","phase":"held",
            "netns":{"dev":1,"ino":2,"cookie":3},"devices":[{"name":"a","index":)" +
               index + "}],\"pid\":" + pid + ",\"since\":" + since + "}";
    };
    auto error = [](const std::string& json) {
        return error_of([&] { rnh::assignment_from_json(json, "rec"); });
    };
    EXPECT_EQ(error(record("2147483647", "9223372036854775807", "4294967295")), "no error");
    EXPECT_EQ(error(record("2147483648", "0", "1")),
              "rec: \"pid\" is 2147483648, above its limit 2147483647");
    EXPECT_EQ(error(record("1", "9223372036854775808", "1")),
              "rec: \"since\" is 9223372036854775808, above its limit 9223372036854775807");
    EXPECT_EQ(error(record("1", "0", "4294967296")),
              "rec: \"index\" is 4294967296, above its limit 4294967295");
}

TEST_F(JournalTest, DeviceLocksAreExclusiveAcrossOpenFiles)
{
    {
        rnh::DeviceLocks locks(state_dir, {"rxe1", "rxe0", "rxe1"});
        rnh::Fd other(open((state_dir + "/locks/rxe0.lock").c_str(), O_RDWR | O_CLOEXEC));
        ASSERT_TRUE(other);
        EXPECT_NE(flock(other.get(), LOCK_EX | LOCK_NB), 0);
        EXPECT_EQ(errno, EWOULDBLOCK);
    }
    rnh::Fd after(open((state_dir + "/locks/rxe0.lock").c_str(), O_RDWR | O_CLOEXEC));
    EXPECT_EQ(flock(after.get(), LOCK_EX | LOCK_NB), 0);
}
