// SPDX-License-Identifier: Apache-2.0
// The seccomp filter, installed in a child process so the test binary stays free.
#include "hook/kernel/confine.hpp"
#include "hook/kernel/confine_filter.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <string>
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

// What the kernel's classic BPF interpreter answers for one system call: the
// instructions libseccomp emits (loads, stores, ALU, jumps, returns).
uint32_t run_filter(std::span<const sock_filter> program, const seccomp_data& data)
{
    uint32_t a = 0, x = 0, mem[BPF_MEMWORDS]{};
    auto src = [&](const sock_filter& i) { return BPF_SRC(i.code) == BPF_X ? x : i.k; };
    for (size_t pc = 0; pc < program.size(); ++pc) {
        const sock_filter& i = program[pc];
        switch (BPF_CLASS(i.code)) {
        case BPF_LD:
        case BPF_LDX: {
            uint32_t v = 0;
            if (BPF_MODE(i.code) == BPF_ABS && BPF_SIZE(i.code) == BPF_W && i.k + 4 <= sizeof data)
                std::memcpy(&v, reinterpret_cast<const char*>(&data) + i.k, 4);
            else if (BPF_MODE(i.code) == BPF_MEM && i.k < BPF_MEMWORDS)
                v = mem[i.k];
            else if (BPF_MODE(i.code) == BPF_IMM)
                v = i.k;
            else
                throw std::runtime_error("load " + std::to_string(i.code) + " at " +
                                         std::to_string(pc));
            (BPF_CLASS(i.code) == BPF_LD ? a : x) = v;
            break;
        }
        case BPF_ST:
        case BPF_STX:
            if (i.k >= BPF_MEMWORDS)
                throw std::runtime_error("store out of range at " + std::to_string(pc));
            mem[i.k] = BPF_CLASS(i.code) == BPF_ST ? a : x;
            break;
        case BPF_ALU:
            switch (BPF_OP(i.code)) {
            case BPF_AND:
                a &= src(i);
                break;
            case BPF_OR:
                a |= src(i);
                break;
            case BPF_ADD:
                a += src(i);
                break;
            case BPF_SUB:
                a -= src(i);
                break;
            default:
                throw std::runtime_error("ALU op at " + std::to_string(pc));
            }
            break;
        case BPF_JMP:
            switch (BPF_OP(i.code)) {
            case BPF_JA:
                pc += i.k;
                break;
            case BPF_JEQ:
                pc += a == src(i) ? i.jt : i.jf;
                break;
            case BPF_JGT:
                pc += a > src(i) ? i.jt : i.jf;
                break;
            case BPF_JGE:
                pc += a >= src(i) ? i.jt : i.jf;
                break;
            case BPF_JSET:
                pc += (a & src(i)) != 0 ? i.jt : i.jf;
                break;
            default:
                throw std::runtime_error("jump op at " + std::to_string(pc));
            }
            break;
        case BPF_RET:
            return BPF_RVAL(i.code) == BPF_A ? a : i.k;
        case BPF_MISC:
            if (BPF_MISCOP(i.code) == BPF_TAX)
                x = a;
            else
                a = x;
            break;
        }
    }
    throw std::runtime_error("the program runs off its end");
}

// seccomp_data of system call NR with first argument ARG0, on ARCH
seccomp_data call(uint32_t arch, int nr, uint64_t arg0 = 0)
{
    seccomp_data data{};
    data.nr = nr;
    data.arch = arch;
    data.args[0] = arg0;
    return data;
}

// The current process's /proc/self/status line KEY ("Seccomp:"), or ""
std::string status_line(const std::string& key)
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with(key))
            return line;
    return {};
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

// The hook embeds the program libseccomp exported at build time; libseccomp
// builds the same one now, from the same rules, with the same flags.
TEST(Confine, TheInstalledProgramIsTheFilterLibseccompBuilds)
{
    const auto built = rnh::export_filter(rnh::confine_filter().get());
    const auto embedded = rnh::confine_program();
    ASSERT_EQ(embedded.program.size(), built.program.size());
    for (size_t i = 0; i < built.program.size(); ++i) {
        const auto &e = embedded.program[i], &b = built.program[i];
        EXPECT_TRUE(e.code == b.code && e.jt == b.jt && e.jf == b.jf && e.k == b.k)
            << "instruction " << i << " differs";
    }
    EXPECT_EQ(embedded.flags, built.flags);
    EXPECT_EQ(embedded.no_new_privs, built.no_new_privs);
    // and confine() installs it as seccomp_load() would: one filter, no_new_privs
    EXPECT_EQ(in_confined_child([] {
                  return status_line("Seccomp:") == "Seccomp:\t2" &&
                                 status_line("Seccomp_filters:") == "Seccomp_filters:\t1" &&
                                 status_line("NoNewPrivs:") == "NoNewPrivs:\t1"
                             ? 0
                             : 1;
              }),
              0);
}

// The program checks the architecture first: a system call of another ABI
// (int 0x80 on x86-64; the host may lack it, so on the program itself) kills
// the thread whatever its number, while this architecture's calls get their rules.
TEST(Confine, AForeignArchitectureIsKilled)
{
    const auto program = rnh::confine_program().program;
    const uint32_t native = seccomp_arch_native();
    const uint32_t arches[] = {AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64,
                               AUDIT_ARCH_S390X};
    for (uint32_t arch : arches) {
        if (arch == native)
            continue;
        for (int nr : {0, 3, 20, 39, 56, 435})
            EXPECT_EQ(run_filter(program, call(arch, nr)), SECCOMP_RET_KILL_THREAD)
                << "arch " << std::hex << arch << " call " << std::dec << nr;
    }
    EXPECT_EQ(run_filter(program, call(native, __NR_getpid)), SECCOMP_RET_ALLOW);
    EXPECT_EQ(run_filter(program, call(native, __NR_mount)), SECCOMP_RET_ERRNO | EPERM);
    EXPECT_EQ(run_filter(program, call(native, __NR_clone, CLONE_VM | CLONE_THREAD)),
              SECCOMP_RET_ALLOW);
    EXPECT_EQ(run_filter(program, call(native, __NR_clone, SIGCHLD)), SECCOMP_RET_ERRNO | EPERM);
    EXPECT_EQ(run_filter(program, call(native, __NR_clone3)), SECCOMP_RET_ERRNO | ENOSYS);
}
