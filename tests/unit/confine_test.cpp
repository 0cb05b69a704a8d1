// SPDX-License-Identifier: Apache-2.0
// The seccomp filter, installed in a child process so the test binary stays free.
#include "hook/kernel/confine.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

// Runs f in a confined child; returns the child's exit status (f's result).
template <typename F> int in_confined_child(F f)
{
    pid_t pid = fork();
    if (pid == 0) {
        rnh::confine();
        _exit(f());
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

TEST(Confine, ExecIsRefusedWithEperm)
{
    EXPECT_EQ(in_confined_child([] {
                  char* const argv[] = {const_cast<char*>("true"), nullptr};
                  execv("/bin/true", argv);
                  return errno == EPERM ? 0 : 1;
              }),
              0);
}

TEST(Confine, CallsTheHookNeverMakesAreRefused)
{
    EXPECT_EQ(in_confined_child([] {
                  int refused = 0;
                  refused += mount("none", "/mnt", "tmpfs", 0, nullptr) != 0 && errno == EPERM;
                  refused += chmod("/tmp", 0777) != 0 && errno == EPERM;
                  refused += fork() < 0 && errno == EPERM;
                  return refused == 3 ? 0 : 1;
              }),
              0);
}

TEST(Confine, WhatTheHookNeedsStillWorks)
{
    EXPECT_EQ(in_confined_child([] {
                  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
                  char buf[64];
                  bool ok = fd >= 0 && read(fd, buf, sizeof buf) > 0 && close(fd) == 0;
                  bool thread_ran = false;
                  std::thread([&] { thread_ran = true; }).join();
                  return ok && thread_ran ? 0 : 1;
              }),
              0);
}
