// SPDX-License-Identifier: Apache-2.0
#include "base/error.hpp"
#include "base/file.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

TEST(Error, WrapAddsContextAndKeepsErrnoAndHint)
{
    const rnh::Error inner("moving RDMA device 3", EBUSY, "wait for it");
    const auto outer = inner.wrap("rxe0");
    EXPECT_EQ(outer.context(), "rxe0: moving RDMA device 3");
    EXPECT_EQ(outer.err(), EBUSY);
    EXPECT_EQ(outer.hint(), "wait for it");
    EXPECT_EQ(std::string(outer.what()),
              "rxe0: moving RDMA device 3: " + std::string(std::strerror(EBUSY)) + "; wait for it");
}

TEST(Error, CurrentErrorTurnsAnyExceptionIntoAnError)
{
    auto caught = [](auto thrown) {
        try {
            throw thrown;
        } catch (...) {
            return rnh::current_error();
        }
    };
    EXPECT_EQ(caught(rnh::Error("x", EPERM, "h")).err(), EPERM);
    EXPECT_EQ(caught(rnh::Error("x", EPERM, "h")).hint(), "h");
    EXPECT_STREQ(caught(std::runtime_error("out of luck")).what(), "out of luck");
    EXPECT_STREQ(caught(42).what(), "an unknown exception");
}

TEST(WriteFileAtomic, ReplacesTheFileWithTheModeAsked)
{
    TempDir dir;
    const auto path = dir.write("f.json", "old").string();
    rnh::write_file_atomic(path, "new", 0640);
    EXPECT_EQ(dir.read("f.json"), "new");
    EXPECT_EQ(std::filesystem::status(path).permissions(), std::filesystem::perms(0640));
    // Only the file itself is left in the directory.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path), {}), 1);
}

TEST(WriteFileAtomic, AFailedWriteLeavesNoTemporaryFile)
{
    TempDir dir;
    std::filesystem::create_directory(dir.path / "target");
    // rename() cannot put a file over a directory: the last step fails.
    const auto e =
        error_from([&] { rnh::write_file_atomic((dir.path / "target").string(), "data"); });
    ASSERT_TRUE(e) << "no error thrown";
    EXPECT_EQ(e->err(), EISDIR) << e->what();
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path), {}), 1);
}
